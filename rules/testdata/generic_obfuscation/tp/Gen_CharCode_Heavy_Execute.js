var s = String.fromCharCode(87,83,99,114,105,112,116,46,69,99,104,111,40,49,41);
eval(s);
