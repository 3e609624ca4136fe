from console.adapters.tables import metadata
from diaodu_platform.migrations import run_env

run_env(metadata)
