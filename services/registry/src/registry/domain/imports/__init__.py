"""Spreadsheet import (导入) of campaigns, units, projects and targets: the pure rules.

`sheets` maps a file's grids to sheets of rows, `values` reads cells as clerks type them,
`vocabulary` holds the spreadsheets' words, `directory` resolves units and campaigns by name,
`rows` and `target_rows` check each row into the command it stands for (built by the API's request
models, which the entrypoint hands in as `Validate`; the checks read it through small protocols),
`coverage` adds the R1 check of targets and `report` collects every problem by sheet, row and
column. Reading the files is adapters/spreadsheets; applying the rows is service_layer/imports.
"""
