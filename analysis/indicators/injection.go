package indicators

import "github.com/automaldesc/automaldesc/analysis/lang"

// injectionIndicators: process injection, shellcode runners and native API
// abuse.
func injectionIndicators() []Indicator {
	return []Indicator{
		{
			ID:          "inject.shellcode_runner",
			Title:       "Shellcode runner (VirtualAlloc + thread/callback)",
			Description: "Allocates executable memory (VirtualAlloc/VirtualProtect) and starts it with CreateThread, a delegate or a callback: runs raw shellcode in process.",
			Severity:    SeverityCritical, Techniques: techs("T1106", "T1055"), Tactic: "defense-evasion",
			Languages: []lang.Language{lang.PowerShell, lang.Python, lang.JavaScript, lang.VBScript},
			m: rx(`virtualalloc(?:ex)?\b|virtualprotect\b`, "virtualalloc", "virtualprotect").
				and(`createthread\b|getdelegateforfunctionpointer|enumsystemlocales|createtimerqueuetimer|callwindowproc|enumwindows\b|cfunctype|rtlmovememory|ctypes\.memmove|marshal\]::copy`, "createthread", "getdelegateforfunctionpointer", "enumsystemlocales", "createtimerqueuetimer", "callwindowproc", "enumwindows", "cfunctype", "rtlmovememory", "memmove", "marshal]::copy"),
			TruePositives:  fx("ptr = ctypes.windll.kernel32.§VirtualAlloc(0, len(buf), 0x3000, 0x40)\nctypes.windll.kernel32.RtlMoveMemory(ptr, buf, len(buf))\nctypes.windll.kernel32.CreateThread(0, 0, ptr, 0, 0, 0)"),
			FalsePositives: fx("# VirtualAlloc is documented in the Win32 API reference\n$threads = Get-Process | Select Threads"),
		},
		{
			ID:          "inject.remote_thread",
			Title:       "Code written into another process",
			Description: "OpenProcess/VirtualAllocEx + WriteProcessMemory + CreateRemoteThread/NtCreateThreadEx/QueueUserAPC: classic process injection.",
			Severity:    SeverityCritical, Techniques: techs("T1055", "T1055.001"), Tactic: "defense-evasion",
			m: rx(`writeprocessmemory|ntwritevirtualmemory`, "writeprocessmemory", "ntwritevirtualmemory").
				and(`createremotethread|ntcreatethreadex|queueuserapc|rtlcreateuserthread|setthreadcontext`, "createremotethread", "ntcreatethreadex", "queueuserapc", "rtlcreateuserthread", "setthreadcontext"),
			TruePositives:  fx("[Win32]::§WriteProcessMemory($h, $addr, $sc, $sc.Length, [ref]0)\n[Win32]::CreateRemoteThread($h, 0, 0, $addr, 0, 0, 0)"),
			FalsePositives: fx(`# WriteProcessMemory is blocked by the EDR`),
		},
		{
			ID:          "inject.process_hollowing",
			Title:       "Process hollowing",
			Description: "A process created suspended, its image unmapped (NtUnmapViewOfSection) and its thread context redirected: process hollowing.",
			Severity:    SeverityCritical, Techniques: techs("T1055.012"), Tactic: "defense-evasion",
			m: rx(`(?:nt|zw)unmapviewofsection`, "unmapviewofsection").
				and(`setthreadcontext|wow64setthreadcontext|resumethread`, "setthreadcontext", "resumethread"),
			TruePositives:  fx("§NtUnmapViewOfSection(pi.hProcess, base)\nSetThreadContext(pi.hThread, ctx)\nResumeThread(pi.hThread)"),
			FalsePositives: fx(`' ResumeThread is used by the debugger helper`),
		},
		{
			ID:          "inject.shellcode_bytes",
			Title:       "Shellcode prologue bytes",
			Description: "Byte arrays or strings starting with well-known shellcode prologues (FC E8 .. 00 00 00, FC 48 83 E4 F0): embedded shellcode.",
			Severity:    SeverityHigh, Techniques: techs("T1055", "T1027"), Tactic: "defense-evasion",
			m:              rx(`0xfc\s*,\s*0xe8\s*,\s*0x[0-9a-f]{2}\s*,\s*0x00\s*,\s*0x00|0xfc\s*,\s*0x48\s*,\s*0x83\s*,\s*0xe4\s*,\s*0xf0|\\xfc\\xe8\\x[0-9a-f]{2}\\x00\\x00|\\xfc\\x48\\x83\\xe4\\xf0|/ehcaaaa|/eiiaaaa|/eideaaa`, "0xfc", "\\xfc", "/ehcaaaa", "/eiiaaaa", "/eideaaa"),
			TruePositives:  fx(`[Byte[]] $buf = §0xfc,0xe8,0x82,0x00,0x00,0x00,0x60`, `buf = b"§\xfc\x48\x83\xe4\xf0\xe8"`),
			FalsePositives: fx(`$mask = 0xfc`, `$b = 0xfc,0x00,0x01`),
		},
		{
			ID:          "inject.delegate_native",
			Title:       "Native function called through a delegate",
			Description: "GetProcAddress + GetDelegateForFunctionPointer: Win32 APIs called from PowerShell without Add-Type, hiding the imports.",
			Severity:    SeverityMedium, Techniques: techs("T1106"), Tactic: "execution",
			Languages:      psOnly,
			m:              rx(`getdelegateforfunctionpointer`, "getdelegateforfunctionpointer").and(`getprocaddress`, "getprocaddress"),
			TruePositives:  fx("$p = $gpa.Invoke($null, @($h, 'Sleep'))\n$d = [Runtime.InteropServices.Marshal]::§GetDelegateForFunctionPointer($p, $t)\n# GetProcAddress resolved above"),
			FalsePositives: fx(`$d = [Runtime.InteropServices.Marshal]::GetDelegateForFunctionPointer($cb, [Action])`),
		},
		{
			ID:          "inject.offensive_framework",
			Title:       "Offensive injection or post-exploitation framework",
			Description: "Invoke-Shellcode, Invoke-ReflectivePEInjection, Invoke-DllInjection, Empire/Covenant/Cobalt Strike stager names, or Meterpreter artefacts.",
			Severity:    SeverityCritical, Techniques: techs("T1055", "T1620"), Tactic: "defense-evasion",
			m:              rx(`invoke-shellcode|invoke-reflectivepeinjection|invoke-dllinjection|invoke-psinject|invoke-empire|\bmeterpreter\b|\bcobaltstrike\b|\bbeacon\.dll\b|\bsharpsploit\b|\bdonut\s+-f\b|\bcovenant\b[^\n]*grunt`, "invoke-shellcode", "invoke-reflectivepeinjection", "invoke-dllinjection", "invoke-psinject", "invoke-empire", "meterpreter", "cobaltstrike", "beacon.dll", "sharpsploit", "donut", "covenant"),
			TruePositives:  fx(`§Invoke-ReflectivePEInjection -PEBytes $b -ProcId 1234`),
			FalsePositives: fx(`# beacons are sent every minute by the health checker`),
		},
		{
			ID:          "inject.dotnettojscript",
			Title:       "Serialized .NET object loaded from script host",
			Description: "BinaryFormatter.Deserialize of a Base64 blob from JScript/VBScript (DotNetToJScript/GadgetToJScript): runs a .NET assembly from a script.",
			Severity:    SeverityCritical, Techniques: techs("T1620", "T1059.007"), Tactic: "defense-evasion",
			Languages: winHost,
			m: rx(`binaryformatter`, "binaryformatter").
				and(`deserialize_2|\.deserialize\s*\(`, "deserialize").
				and(`frombase64|memorystream`, "frombase64", "memorystream"),
			TruePositives:  fx("var fmt = new ActiveXObject('System.Runtime.Serialization.Formatters.Binary.§BinaryFormatter');\nvar ms = new ActiveXObject('System.IO.MemoryStream');\nvar o = fmt.Deserialize_2(ms);"),
			FalsePositives: fx(`// BinaryFormatter is obsolete`),
		},
	}
}
