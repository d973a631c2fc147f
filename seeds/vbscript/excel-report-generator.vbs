' Builds the weekly ticket statistics workbook from the helpdesk CSV export.
Option Explicit
Dim xl, wb, ws, fso, src, dst, lastRow, ch
Set fso = CreateObject("Scripting.FileSystemObject")
src = "\\fs01.corp.example\reports\helpdesk\tickets-week.csv"
dst = "\\fs01.corp.example\reports\helpdesk\tickets-week-" & DatePart("ww", Date) & ".xlsx"
Set xl = CreateObject("Excel.Application")
xl.Visible = False
xl.DisplayAlerts = False
Set wb = xl.Workbooks.Open(src)
Set ws = wb.Worksheets(1)
lastRow = ws.Cells(ws.Rows.Count, 1).End(-4162).Row
ws.Range("A1:F1").Font.Bold = True
ws.Columns("A:F").AutoFit
ws.Range("H1").Value = "Total tickets"
ws.Range("I1").Formula = "=COUNTA(A2:A" & lastRow & ")"
ws.Range("H2").Value = "Avg hours to close"
ws.Range("I2").Formula = "=AVERAGE(E2:E" & lastRow & ")"
Set ch = ws.Shapes.AddChart2(201, 51).Chart
ch.SetSourceData ws.Range("C1:C" & lastRow)
wb.SaveAs dst, 51
wb.Close False
xl.Quit
