"""Spreadsheet files (CSV, XLSX): reading an upload into sheets of rows, writing the import templates."""

from registry.adapters.spreadsheets.reading import read
from registry.adapters.spreadsheets.templates import template_csv, template_xlsx
from registry.domain.imports.sheets import FileError

__all__ = ["FileError", "read", "template_csv", "template_xlsx"]
