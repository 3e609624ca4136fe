from diaodu_platform.migrations import run_env
from escalation.adapters.tables import metadata

run_env(metadata)
