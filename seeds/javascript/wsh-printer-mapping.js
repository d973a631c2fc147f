// Logon script: maps department printers from the security groups of the user.
var net = new ActiveXObject("WScript.Network");
var sysInfo = new ActiveXObject("ADSystemInfo");
var user = GetObject("LDAP://" + sysInfo.UserName);
var map = {
    "CN=GRP-Finance": "\\\\print01.corp.example\\FIN-Color",
    "CN=GRP-HR": "\\\\print01.corp.example\\HR-MFP",
    "CN=GRP-Engineering": "\\\\print02.corp.example\\ENG-Plotter"
};
var groups = user.GetEx("memberOf");
var groupList = new VBArray(groups).toArray();
var mapped = 0;
for (var i = 0; i < groupList.length; i++) {
    for (var g in map) {
        if (groupList[i].indexOf(g + ",") === 0) {
            try {
                net.AddWindowsPrinterConnection(map[g]);
                mapped++;
                if (mapped === 1) net.SetDefaultPrinter(map[g]);
            } catch (e) {
                WScript.Echo("Could not map " + map[g] + ": " + e.message);
            }
        }
    }
}
