"""The browser session's cookie and the CSRF header its state-changing requests carry.

The cookie holds only the random session id: HttpOnly (no script reads it), SameSite=Lax (not sent on
another site's form posts), Secure outside local and test mode, and no Max-Age (it ends with the
browser; the server ends the session after its idle or absolute expiry anyway).
"""

from __future__ import annotations

from fastapi import Response

COOKIE = "diaodu_session"
CSRF_HEADER = "X-CSRF-Token"


def set_session_cookie(response: Response, session_id: str, *, secure: bool) -> None:
    response.set_cookie(COOKIE, session_id, path="/", httponly=True, samesite="lax", secure=secure)


def clear_session_cookie(response: Response, *, secure: bool) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=secure)
