from diaodu_platform.migrations import run_env
from scoring.adapters.tables import metadata

run_env(metadata)
