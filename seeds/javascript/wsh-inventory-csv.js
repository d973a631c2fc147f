// Collects basic hardware inventory and appends a line to the inventory share.
var wmi = GetObject("winmgmts:\\\\.\\root\\cimv2");
var net = new ActiveXObject("WScript.Network");
var fso = new ActiveXObject("Scripting.FileSystemObject");
function first(q, prop) {
    var e = new Enumerator(wmi.ExecQuery(q));
    return e.atEnd() ? "" : String(e.item()[prop]);
}
var row = [
    net.ComputerName,
    net.UserName,
    first("SELECT Manufacturer FROM Win32_ComputerSystem", "Manufacturer"),
    first("SELECT Model FROM Win32_ComputerSystem", "Model"),
    first("SELECT SerialNumber FROM Win32_BIOS", "SerialNumber"),
    first("SELECT Caption FROM Win32_OperatingSystem", "Caption"),
    Math.round(Number(first("SELECT TotalPhysicalMemory FROM Win32_ComputerSystem", "TotalPhysicalMemory")) / 1073741824) + " GB",
    new Date().toUTCString()
];
var path = "\\\\inv01.corp.example\\inventory$\\hardware.csv";
var f = fso.OpenTextFile(path, 8, true);
f.WriteLine(row.join(";"));
f.Close();
