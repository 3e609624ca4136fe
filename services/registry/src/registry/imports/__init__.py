"""Spreadsheet import (导入) of units, campaigns, projects and targets, from CSV or XLSX.

`reader` turns a file into sheets of rows, `rows` and `target_rows` check each row into the API's
own command models, `coverage` adds the R1 check of targets, `service` applies everything through the
registry's handlers in one transaction (or rolls it back for a dry run), `templates` writes the
downloadable templates and `seed` loads the demo data set through the HTTP endpoint.
"""
