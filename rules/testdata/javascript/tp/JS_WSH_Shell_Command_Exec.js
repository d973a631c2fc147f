var sh = new ActiveXObject("WScript.Shell");
sh.Run("cmd.exe /c echo inert-fixture", 0, false);
