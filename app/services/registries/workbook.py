"""A library list as an Excel workbook (.xlsx): one header row of column titles, one row per
record, the first column and the header frozen. Each library's export.py names its columns."""
from io import BytesIO

from openpyxl import Workbook
from openpyxl.utils import get_column_letter


def workbook_bytes(title, columns, rows, width=20):
    """The .xlsx bytes of `rows` under `columns`, [(title, value of a row)], on a sheet `title`."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]          # Excel's limit on a sheet's name
    sheet.append([heading for heading, _value in columns])
    for row in rows:
        sheet.append([value(row) for _heading, value in columns])
    sheet.freeze_panes = "B2"
    for index in range(1, len(columns) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    out = BytesIO()
    book.save(out)
    return out.getvalue()
