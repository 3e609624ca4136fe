from diaodu_platform.migrations import run_env
from progress.adapters.tables import metadata

run_env(metadata)
