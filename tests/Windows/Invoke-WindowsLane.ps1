<#
.SYNOPSIS
    The Windows lane (build.ps1 TestWindows): EnvTools' tests on Windows, under Wine 10 on a Debian machine.
.DESCRIPTION
    On Linux, as root, with Wine 10 set up by .ci/wine-setup.sh. Builds, into out/windows:
      pwsh/        PowerShell 7.6.9 for win-x64 (tests/Windows/PwshHost, on NuGet's Microsoft.PowerShell.SDK)
      xunit/       the engine's xunit suite in a win-x64 runner (tests/Windows/XunitHost)
      testserver/  the loopback channel server of the Pester HTTP tests, for win-x64 (tests/EnvTools.TestServer)
      standins/    python.exe for the scenario's packages (tests/Windows/StandIns, mingw-w64)
    then runs under Wine 10, in a Wine prefix of its own (out/windows/wineprefix, a copy of the setup's): the
    Windows scenario (tests/Windows/WindowsScenario.ps1), the xunit suite and the Pester suite. Prints
    "N passed, N failed" for each part and overall; the exit code is 1 when anything failed. A test of the suites that
    fails is run once more at the end of its part; one that passes then is printed as [FLAKY] (with its first failure)
    and counted as passed: under Wine 10 a test has now and then seen a large buffer with bytes it did not write (a NUL
    inside an in-memory repodata array), which no run on Linux has shown and the same test's next run does not.
    The module itself (out/EnvTools) must be built first (build.ps1 TestWindows does that).
.PARAMETER Part
    Which parts to run (Scenario, Xunit, Pester); all by default.
.PARAMETER Filter
    A part of the tests' full names to run (case-insensitive substring), the same for both suites: xunit's
    Namespace.Class.Method, Pester's Describe/Context/It path (build.ps1 -Filter).
#>
param(
    [string[]] $Part = @('Scenario', 'Xunit', 'Pester'),
    [string] $Filter,
    [string] $Configuration = 'Release'
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$Part = @($Part | ForEach-Object { $_ -split ',' } | ForEach-Object Trim | Where-Object { $_ })   # pwsh -File passes "A,B" as one string
$unknown = @($Part | Where-Object { $_ -notin 'Scenario', 'Xunit', 'Pester' })
if ($unknown) { throw "unknown part(s) $($unknown -join ', '): Scenario, Xunit, Pester" }
$Root = Split-Path (Split-Path $PSScriptRoot)
$Out = Join-Path $Root 'out/windows'
$Wine10 = Join-Path $Root '.ci/wine10'
$laneClock = [Diagnostics.Stopwatch]::StartNew()

if (-not $IsLinux) { throw 'The Windows lane runs on Linux, under Wine 10 (on Windows, run build.ps1 Test itself)' }
$wineRoot = if ($env:ENVTOOLS_WINE_ROOT) { $env:ENVTOOLS_WINE_ROOT } else { '/var/cache/envtools-wine' }
$template = Join-Path $wineRoot 'trixie/var/lib/envtools-wine/prefix'
if (-not (Test-Path (Join-Path $template '.envtools-ready'))) {
    throw "Wine 10 is not set up in $wineRoot`: run 'bash .ci/wine-setup.sh' (as root, about 10 minutes once per machine)"
}

function WinPath([string] $Path) { 'Z:' + $Path.Replace('/', '\') }

function Invoke-Timed([string] $Name, [scriptblock] $Block) {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    & $Block
    Write-Host ("lane: {0} took {1:0} s" -f $Name, $clock.Elapsed.TotalSeconds) -ForegroundColor DarkGray
}

function Publish([string] $Project, [string] $To, [string[]] $Extra = @()) {
    $log = Join-Path $Out ((Split-Path $To -Leaf) + '-publish.log')
    & dotnet publish (Join-Path $Root $Project) -c $Configuration -o $To --nologo -v quiet @Extra *> $log
    if ($LASTEXITCODE -ne 0) { Get-Content $log -Tail 30 | Write-Host; throw "dotnet publish $Project failed (log: $log)" }
}

# --- 1. the Windows programs
New-Item -ItemType Directory -Path $Out -Force | Out-Null
Invoke-Timed 'building the Windows programs' {
    Publish 'tests/Windows/PwshHost/PwshHost.csproj' (Join-Path $Out 'pwsh')
    if ('Xunit' -in $Part) { Publish 'tests/Windows/XunitHost/XunitHost.csproj' (Join-Path $Out 'xunit') }
    if ('Pester' -in $Part) {
        Publish 'tests/EnvTools.TestServer/EnvTools.TestServer.csproj' (Join-Path $Out 'testserver') @('-r', 'win-x64', '--self-contained', '-p:SatelliteResourceLanguages=en')
    }
    $standins = New-Item -ItemType Directory -Path (Join-Path $Out 'standins') -Force
    & x86_64-w64-mingw32-gcc -O2 -s -Wall -Werror -o (Join-Path $standins 'python.exe') (Join-Path $PSScriptRoot 'StandIns/python-standin.c')
    if ($LASTEXITCODE -ne 0) { throw 'compiling the stand-in python.exe failed (is gcc-mingw-w64-x86-64-win32 installed? .ci/wine-setup.sh installs it)' }
}

# --- 2. a Wine prefix of the lane's own (a fresh C: drive each run; lanes of two checkouts do not meet)
$prefix = Join-Path $Out 'wineprefix'
if (Test-Path $prefix) { Remove-Item $prefix -Recurse -Force }
# C:\windows (760 MB of Wine's DLLs, never written) is hard-linked; the registry and the user folders are copied
& cp -al $template $prefix
if ($LASTEXITCODE -ne 0) { throw "copying the Wine prefix $template failed" }
foreach ($own in @(Get-ChildItem $template -Filter *.reg) + @(Get-Item (Join-Path $template 'drive_c/users'))) {
    $mine = Join-Path $prefix $own.Name
    if ($own.Name -eq 'users') { $mine = Join-Path $prefix 'drive_c/users' }
    Remove-Item $mine -Recurse -Force
    & cp -a $own.FullName $mine
}
$env:WINEPREFIX = $prefix

# --- 3. the parts, each a Windows program under Wine 10, with its output streamed and kept in a log
$results = [ordered]@{}
function Invoke-Part([string] $Name, [int] $TimeoutSeconds, [string[]] $WineArgs) {
    $log = Join-Path $Out "$($Name.ToLowerInvariant()).log"
    $clock = [Diagnostics.Stopwatch]::StartNew()
    Write-Host "lane: $Name under Wine 10" -ForegroundColor Cyan
    & timeout --kill-after=30 $TimeoutSeconds $Wine10 @WineArgs 2>&1 | Tee-Object -FilePath $log | Write-Host
    $code = $LASTEXITCODE
    if ($code -eq 124 -or $code -eq 137) { Write-Host "lane: $Name did not finish in $TimeoutSeconds s" -ForegroundColor Red; & $Wine10 --kill }
    $counts = Select-String -Path $log -Pattern '^\w+: (\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$' | Select-Object -Last 1
    $passed = 0; $failed = 1; $skipped = 0
    if ($counts) {
        $g = $counts.Matches[0].Groups
        $passed = [int] $g[1].Value; $failed = [int] $g[2].Value; $skipped = if ($g[3].Success) { [int] $g[3].Value } else { 0 }
    }
    # a crash or a hang after the counts, or an exit code that disagrees with them, is one more failure; except where the
    # runner's own last line says it returned 0 after 0 failures and the process still ended with another code (seen
    # once under Wine 10, the Pester host's exit 0 came back as 1): that is printed as [FLAKY] and not counted
    $said = Select-String -Path $log -Pattern '^\w+: exit code (\d+)\s*$' | Select-Object -Last 1
    $cleanExit = $said -and $said.Matches[0].Groups[1].Value -eq '0' -and $failed -eq 0 -and $code -notin 124, 137
    if ($code -ne 0 -and $cleanExit) { Write-Host "[FLAKY] lane: $Name returned 0 after 0 failures (its last line) and the process ended with $code" -ForegroundColor Yellow }
    elseif ($code -ne 0 -and $failed -eq 0) { $failed = 1; Write-Host "lane: $Name exited with $code" -ForegroundColor Red }
    $results[$Name] = [pscustomobject]@{ Passed = $passed; Failed = $failed; Skipped = $skipped; Seconds = [int] $clock.Elapsed.TotalSeconds }
}

# the conformance data (../shared/data), copied into the lane's folder, which the chroot sees, and writable (tests
# delete what they unpack next to it; Windows refuses to delete read-only files)
$data = if ($env:ENVTOOLS_CONFORMANCE_DATA) { $env:ENVTOOLS_CONFORMANCE_DATA } else { Join-Path (Split-Path $Root) 'shared/data' }
$savedData = $env:ENVTOOLS_CONFORMANCE_DATA
if (Test-Path $data) {
    $copy = Join-Path $Out 'data'
    if (Test-Path $copy) { Remove-Item $copy -Recurse -Force }
    & cp -r $data $copy; & chmod -R u+w $copy
    $env:ENVTOOLS_CONFORMANCE_DATA = WinPath $copy
}

$pwsh = Join-Path $Out 'pwsh/pwsh.exe'
$module = WinPath (Join-Path $Root 'out/EnvTools/EnvTools.psd1')
Push-Location $Out
try {
    if ('Scenario' -in $Part) {
        Invoke-Part 'Scenario' 600 @($pwsh, '-File', (WinPath (Join-Path $PSScriptRoot 'WindowsScenario.ps1')),
            '-Module', $module, '-Python', (WinPath (Join-Path $Out 'standins/python.exe')))
    }
    if ('Xunit' -in $Part) {
        $xunitArgs = @((Join-Path $Out 'xunit/xunit-win.exe'), '--rerun-failed') + $(if ($Filter) { @('--filter', $Filter) } else { @() })
        Invoke-Part 'Xunit' 1800 $xunitArgs
    }
    if ('Pester' -in $Part) {
        $packages = (& dotnet nuget locals global-packages --list) -replace '^\s*global-packages:\s*', ''
        & dotnet restore (Join-Path $Root 'tests/EnvTools.Tests/Pester.Restore.csproj') --nologo -v quiet | Out-Null
        $pester = Join-Path $Out 'pester'
        if (Test-Path $pester) { Remove-Item $pester -Recurse -Force }
        Copy-Item (Join-Path $packages.Trim() 'pester/5.7.1/tools') $pester -Recurse
        $pesterArgs = @($pwsh, '-File', (WinPath (Join-Path $PSScriptRoot 'Invoke-WindowsPester.ps1')), '-Pester', (WinPath (Join-Path $pester 'Pester.psd1')),
            '-Module', $module, '-TestServer', (WinPath (Join-Path $Out 'testserver/EnvTools.TestServer.exe')), '-RerunFailed')
        if ($Filter) { $pesterArgs += @('-Filter', $Filter) }
        Invoke-Part 'Pester' 1800 $pesterArgs
    }
}
finally {
    Pop-Location
    & $Wine10 --release
    Remove-Item Env:WINEPREFIX
    $env:ENVTOOLS_CONFORMANCE_DATA = $savedData
}

Write-Host ''
$passed = 0; $failed = 0; $skipped = 0
foreach ($name in $results.Keys) {
    $r = $results[$name]
    Write-Host ("{0,-9} {1} passed, {2} failed, {3} skipped ({4} s)" -f "$($name.ToLowerInvariant()):", $r.Passed, $r.Failed, $r.Skipped, $r.Seconds)
    $passed += $r.Passed; $failed += $r.Failed; $skipped += $r.Skipped
}
Write-Host ("lane: {0:0} s in all" -f $laneClock.Elapsed.TotalSeconds)
Write-Host "windows: $passed passed, $failed failed, $skipped skipped"
if ($failed -gt 0) { exit 1 }
