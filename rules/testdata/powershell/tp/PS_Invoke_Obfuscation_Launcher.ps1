. ( $ShellId[1]+$ShellId[13]+'x') ( 'Write-Output inert-fixture' )
