/*@cc_on
@if (@_jscript_version >= 5)
var p = "WScript.Echo(1)"; eval(p);
@end @*/
