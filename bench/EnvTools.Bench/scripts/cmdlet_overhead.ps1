# The cmdlet's own overhead (`build.ps1 Bench -Suite Solve`): Resolve-EnvPackage against the engine call it makes
# (RepoDataIndex.Load of each subdir + CondaSolver.Solve: EngineCall in EnvTools.Bench.dll, so that no script
# statement is timed on the engine's side), alternately in one pwsh process, the same specs, channel and virtual packages.
# Prints one JSON line: { engine: [ms...], cmdlet: [ms...], records }.
param(
    [Parameter(Mandatory)] [string] $Module,
    [Parameter(Mandatory)] [string] $Channel,
    [string] $Spec = 'python=3.9',  # specs separated by ';'
    [int] $Rounds = 20
)
$ErrorActionPreference = 'Stop'
$Spec = @($Spec -split ';' | Where-Object { $_ })
Import-Module $Module
# An empty configuration: the cmdlet reads no user .condarc and no default channels.
$env:CONDARC = Join-Path ([IO.Path]::GetTempPath()) "envtools-bench-$PID.condarc"
Set-Content -LiteralPath $env:CONDARC -Value ''
$vps = '__glibc=2.28', '__unix=0', '__linux=5.10', '__archspec=1=x86_64'
# EnvTools.Bench.dll's EngineCall (it binds to the EnvTools.Core the module loaded).
Add-Type -Path (Join-Path $PSScriptRoot '..' 'EnvTools.Bench.dll')
$engine = [System.Collections.Generic.List[double]]::new()
$cmdlet = [System.Collections.Generic.List[double]]::new()
$records = 0
for ($i = -10; $i -lt $Rounds; $i++) {
    # Ten untimed warm-up rounds (the JIT's tiers), then the tools take turns.
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $n = [EnvTools.Bench.EngineCall]::Solve($Channel, $Spec, $vps)
    $e = $sw.Elapsed.TotalMilliseconds
    $sw.Restart()
    $out = Resolve-EnvPackage -Spec $Spec -Channel $Channel -OverrideChannels -Platform linux-64 -VirtualPackage $vps
    $c = $sw.Elapsed.TotalMilliseconds
    if (@($out).Count -ne $n) { throw "the cmdlet returned $(@($out).Count) records, the engine $n" }
    if ($i -ge 0) { $engine.Add($e); $cmdlet.Add($c) }
    $records = $n
}
Remove-Item -LiteralPath $env:CONDARC -ErrorAction SilentlyContinue
[pscustomobject]@{ engine = $engine; cmdlet = $cmdlet; records = $records } | ConvertTo-Json -Compress
