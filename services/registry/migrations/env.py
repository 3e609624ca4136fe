from diaodu_platform.migrations import run_env
from registry.adapters.tables import metadata

run_env(metadata)
