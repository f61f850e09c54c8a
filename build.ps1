#requires -Version 7.4
<#
.SYNOPSIS
    EnvTools build entry point: Build, Test, TestWindows, Bench, Demo, Package, Torture, Fuzz.
.DESCRIPTION
    One script, no hidden steps. Everything it needs comes from NuGet (the .NET packages, Pester)
    and the dotnet tool manifest (pwsh 7.6.9).
      Build    compiles the solution, lays out an importable module in out/EnvTools/ and the demo channel in
               docs/demo/channel/ (real archives built from docs/demo/packages/*.json, when those changed)
      Test     builds what the tests need (the module, the engine's tests, the test server; not the benchmarks), lays out
               the module, then runs the xunit suite, then the Pester suite; prints "N passed, N failed".
               -Filter TEXT runs only the tests whose full name contains TEXT, in both suites (see the parameter)
      TestWindows  the Windows lane, on Linux as root under Wine 10 (set up once by .ci/wine-setup.sh): Test's build, then
               win-x64 PowerShell 7.6.9 and test runners, then the Windows scenario, the xunit suite and the Pester
               suite on Windows (-Part Scenario,Xunit,Pester; -Filter narrows); prints "N passed, N failed"
      Bench    runs the benchmark harness (-Suite Parse|Solve|Fetch|Install|Mirrors|All; Mirrors needs
               Debian's docker-registry and swift, and is skipped with a message without them) and writes docs/benchmarks.md.
               -Suite SolveCompare (not part of All): the solver of this checkout against the commit -Base REV (default
               HEAD~1; any git revision), measured in the same run: REV's src/EnvTools.Core is built in a temporary git
               worktree (removed afterwards), both engines solve the fixed Solve cases in alternating rounds, their
               answers are compared, and the section "Solve: this commit against REV" is written
      Demo     imports the built module and runs the main job on the bundled local channel
      Package  Build, then zips out/EnvTools into out/EnvTools-<version>.zip
      Install  Build, then copies out/EnvTools into your user module folder (or -Destination) as
               EnvTools/<version>, so that Import-Module EnvTools and command auto-loading work in any pwsh session
               (-NoBuild: the module already in out/EnvTools)
      Torture  Build, then kills create/install/update/uninstall in real child processes at random points
               (-Trials per change, default 50; not in CI) and prints old/new/broken counts per change
      Fuzz     the long fuzz run (not in CI): every target of tests/EnvTools.Core.Tests/Fuzz with a random seed
               (-FuzzSeed to repeat one) for -FuzzSeconds per target; untyped exceptions and hangs fail it, and
               their inputs are written to out/fuzz-findings/<target>/ (fix, then keep them under Fuzz/regressions)
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 Test
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'TestWindows', 'Bench', 'Demo', 'Package', 'Install', 'Torture', 'Fuzz')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Benchmark suite for the Bench task.
    [ValidateSet('Parse', 'Solve', 'SolveCompare', 'Fetch', 'Install', 'Mirrors', 'All')]
    [string] $Suite = 'All',

    # Bench -Suite SolveCompare: the git revision whose engine the current one is compared with.
    [string] $Base = 'HEAD~1',

    # Fuzz: seconds per target, and the seed (default: a random one, printed).
    [int] $FuzzSeconds = 120,
    [int] $FuzzSeed = -1,

    # Only run the tests whose full name contains this text (case-insensitive), in every suite alike: xunit's
    # Namespace.Class.Method (dotnet test --filter "FullyQualifiedName~TEXT"), Pester's Describe/Context/It path
    # (Filter.FullName "*TEXT*", the text taken literally). Test, TestWindows (-Part Xunit, Pester) and Fuzz.
    [string] $Filter,

    # TestWindows: the parts of the Windows lane to run.
    [ValidateSet('Scenario', 'Xunit', 'Pester')]
    [string[]] $Part = @('Scenario', 'Xunit', 'Pester'),

    # Install: the modules folder to install into (default: the current user's, first in PSModulePath's user scope),
    # and whether to skip the build.
    [string] $Destination,
    [switch] $NoBuild,

    # Kills per change for the Torture task.
    [ValidateRange(1, 10000)]
    [int] $Trials = 50
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'EnvTools'

function Invoke-Native {
    param([string] $File, [string[]] $Arguments)
    Write-Host "> $File $($Arguments -join ' ')" -ForegroundColor DarkGray
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "'$File $($Arguments -join ' ')' failed with exit code $LASTEXITCODE" }
}

# What the Test tasks build: the module (with the engine and the CUDA probe), the engine's tests (with the sample host
# they compile against) and the loopback test server; not the benchmarks (Build compiles the whole solution).
$TestProjects = @('src/EnvTools/EnvTools.csproj', 'tests/EnvTools.Core.Tests/EnvTools.Core.Tests.csproj',
    'tests/EnvTools.TestServer/EnvTools.TestServer.csproj')

function Invoke-Build {
    param([string[]] $Projects)
    if ($Projects) {
        foreach ($project in $Projects) {
            Invoke-Native dotnet @('build', (Join-Path $Root $project), '-c', $Configuration, '--nologo', '-v', 'minimal')
        }
    }
    else {
        Invoke-Native dotnet @('build', (Join-Path $Root 'EnvTools.sln'), '-c', $Configuration, '--nologo', '-v', 'minimal')
    }

    $bin = Join-Path $Root "src/EnvTools/bin/$Configuration/net8.0"
    if (Test-Path $ModuleOut) { Remove-Item $ModuleOut -Recurse -Force }
    $deps = Join-Path $ModuleOut 'Dependencies'
    New-Item -ItemType Directory -Path $deps -Force | Out-Null

    # The module assembly and the engine sit next to the manifest (default load context, so that
    # PowerShell sees the engine's types); every third-party library goes to Dependencies/ and loads
    # in the module's own AssemblyLoadContext.
    Copy-Item (Join-Path $Root 'EnvTools.psd1') $ModuleOut
    Copy-Item (Join-Path $Root 'src/EnvTools/EnvTools.Format.ps1xml') $ModuleOut
    foreach ($f in 'EnvTools.dll', 'EnvTools.xml', 'EnvTools.Core.dll', 'EnvTools.Core.xml') {
        $p = Join-Path $bin $f
        if (Test-Path $p) { Copy-Item $p $ModuleOut }
    }
    Get-ChildItem $bin -Filter *.dll | Where-Object {
        $_.Name -notin 'EnvTools.dll', 'EnvTools.Core.dll', 'System.Management.Automation.dll', 'EnvTools.CudaProbe.dll'
    } | Copy-Item -Destination $deps
    # The CUDA driver probe: a small console program the engine runs with the dotnet host in a child process.
    $probeBin = Join-Path $Root "src/EnvTools.CudaProbe/bin/$Configuration/net8.0"
    $probeOut = New-Item -ItemType Directory -Path (Join-Path $ModuleOut 'Probe') -Force
    foreach ($f in 'EnvTools.CudaProbe.dll', 'EnvTools.CudaProbe.runtimeconfig.json') { Copy-Item (Join-Path $probeBin $f) $probeOut }
    # Cmdlet help (Get-Help) from the cmdlet classes' XML documentation, written by a child pwsh.
    & dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'src/EnvTools/Help/New-MamlHelp.ps1') `
        -ModuleManifest (Join-Path $ModuleOut 'EnvTools.psd1') -XmlDoc (Join-Path $ModuleOut 'EnvTools.xml') `
        -OutFile (Join-Path $ModuleOut 'en-US/EnvTools.dll-Help.xml')
    if ($LASTEXITCODE -ne 0) { throw 'writing the cmdlet help failed' }
    # The conceptual help topic (Get-Help about_EnvTools).
    Copy-Item (Join-Path $Root 'src/EnvTools/Help/about_EnvTools.help.txt') (Join-Path $ModuleOut 'en-US')
    Write-Host "Module laid out in $ModuleOut" -ForegroundColor Green
    Update-DemoChannel
}

function Update-DemoChannel {
    # The demo channel docs/demo/channel (not committed): a real .conda archive per record of docs/demo/packages/*.json,
    # built by the engine in a child pwsh, laid out again only when the records or the script changed (a stamp of
    # their hashes; delete the folder to force it).
    $channel = Join-Path $Root 'docs/demo/channel'
    $script = Join-Path $Root 'docs/demo/Build-DemoChannel.ps1'
    $inputs = @(Get-ChildItem (Join-Path $Root 'docs/demo/packages') -Filter *.json | Sort-Object Name) + (Get-Item $script)
    $stamp = ($inputs | ForEach-Object { "$($_.Name) $((Get-FileHash -LiteralPath $_.FullName -Algorithm SHA256).Hash)" }) -join "`n"
    $stampFile = Join-Path $channel '.layout-stamp'
    if ((Test-Path $stampFile) -and (Get-Content -LiteralPath $stampFile -Raw).Trim() -eq $stamp) {
        Write-Host "Demo channel up to date in $channel" -ForegroundColor Green
        return
    }
    & dotnet pwsh -NoProfile -NonInteractive -File $script -ModulePath (Join-Path $ModuleOut 'EnvTools.psd1') -Destination $channel
    if ($LASTEXITCODE -ne 0) { throw 'laying out the demo channel failed' }
    Set-Content -LiteralPath $stampFile -Value $stamp
}

function Get-PesterManifest {
    Invoke-Native dotnet @('restore', (Join-Path $Root 'tests/EnvTools.Tests/Pester.Restore.csproj'), '--nologo', '-v', 'quiet')
    $packages = $env:NUGET_PACKAGES
    if (-not $packages) {
        $line = (& dotnet nuget locals global-packages --list) | Select-Object -First 1
        $packages = ($line -replace '^\s*global-packages:\s*', '').Trim()
    }
    $manifest = Join-Path $packages 'pester/5.7.1/tools/Pester.psd1'
    if (-not (Test-Path $manifest)) { throw "Pester 5.7.1 was not restored to $manifest" }
    return $manifest
}

function ConvertTo-XunitNameFilter([string] $Text) {
    # dotnet test's filter for "the full name contains Text": the filter language's own characters escaped.
    $escaped = [regex]::Replace($Text, '[\\()&|=!~]', { param($m) '\' + $m.Value })
    return "FullyQualifiedName~$escaped"
}

function Invoke-Test {
    Invoke-Build -Projects $TestProjects

    # 1. xunit: the engine.
    $results = Join-Path $Out 'test-results'
    if (Test-Path $results) { Remove-Item $results -Recurse -Force }
    $xunitArgs = @('test', (Join-Path $Root 'tests/EnvTools.Core.Tests/EnvTools.Core.Tests.csproj'), '-c', $Configuration,
        '--no-build', '--nologo', '--logger', 'trx;LogFileName=core.trx', '--results-directory', $results)
    if ($Filter) { $xunitArgs += @('--filter', (ConvertTo-XunitNameFilter $Filter)) }
    Write-Host "> dotnet $($xunitArgs -join ' ')" -ForegroundColor DarkGray
    & dotnet @xunitArgs
    $xunitExit = $LASTEXITCODE
    $trx = Get-ChildItem $results -Filter core.trx -Recurse | Select-Object -First 1
    $xPassed = 0; $xFailed = 0; $xSkipped = 0
    if ($trx) {
        [xml] $doc = Get-Content $trx.FullName -Raw
        $c = $doc.TestRun.ResultSummary.Counters
        $xPassed = [int] $c.passed
        $xFailed = [int] $c.failed + [int] $c.error + [int] $c.timeout + [int] $c.aborted
        $xSkipped = [int] $c.total - [int] $c.executed
    }
    # a crashed or aborted test host leaves a partial trx with no failure in it: the exit code still counts
    if ($xunitExit -ne 0 -and $xFailed -eq 0) {
        $xFailed = 1
        Write-Host "xunit: the test run did not complete (exit code $xunitExit); see the output above" -ForegroundColor Red
    }

    # 2. Pester: the module, end to end, in a fresh pwsh process (a loaded binary module cannot be unloaded).
    $pester = Get-PesterManifest
    $pesterResult = Join-Path $results 'pester.json'
    $script = @'
param($Pester, $Tests, $Module, $ResultFile, $Filter)
$ErrorActionPreference = 'Stop'
Import-Module $Pester -MinimumVersion 5.7.1
$env:ENVTOOLS_MODULE = $Module
$cfg = New-PesterConfiguration
$cfg.Run.Path = $Tests
$cfg.Run.PassThru = $true
$cfg.Output.Verbosity = 'Detailed'
if ($Filter) { $cfg.Filter.FullName = '*' + [WildcardPattern]::Escape($Filter) + '*' }
$r = Invoke-Pester -Configuration $cfg
@{ Passed = $r.PassedCount; Failed = $r.FailedCount + $r.FailedBlocksCount + $r.FailedContainersCount; Skipped = $r.SkippedCount } |
    ConvertTo-Json | Set-Content -Path $ResultFile
'@
    $scriptFile = Join-Path $results 'run-pester.ps1'
    Set-Content -Path $scriptFile -Value $script
    # The Pester HTTP tests start the loopback channel server built with the solution.
    $env:ENVTOOLS_TESTSERVER = Join-Path $Root "tests/EnvTools.TestServer/bin/$Configuration/net8.0/EnvTools.TestServer.dll"
    Push-Location $Root
    try {
        & dotnet pwsh -NoProfile -NonInteractive -File $scriptFile -Pester $pester -Tests (Join-Path $Root 'tests/EnvTools.Tests') `
            -Module (Join-Path $ModuleOut 'EnvTools.psd1') -ResultFile $pesterResult -Filter $Filter
    }
    finally { Pop-Location }
    $pPassed = 0; $pFailed = 1; $pSkipped = 0
    if (Test-Path $pesterResult) {
        $p = Get-Content $pesterResult -Raw | ConvertFrom-Json
        $pPassed = [int] $p.Passed; $pFailed = [int] $p.Failed; $pSkipped = [int] $p.Skipped
    }

    $passed = $xPassed + $pPassed
    $failed = $xFailed + $pFailed
    $skipped = $xSkipped + $pSkipped
    Write-Host ''
    Write-Host "xunit:  $xPassed passed, $xFailed failed, $xSkipped skipped"
    Write-Host "Pester: $pPassed passed, $pFailed failed, $pSkipped skipped"
    Write-Host "$passed passed, $failed failed, $skipped skipped"
    if ($failed -gt 0) { exit 1 }
}

function Invoke-TestWindows {
    Invoke-Build -Projects $TestProjects
    $laneArgs = @{ Part = $Part; Configuration = $Configuration }
    if ($Filter) { $laneArgs.Filter = $Filter }
    & (Join-Path $Root 'tests/Windows/Invoke-WindowsLane.ps1') @laneArgs
    if ($LASTEXITCODE -ne 0) { exit 1 }
}

function Invoke-Fuzz {
    Invoke-Native dotnet @('build', (Join-Path $Root 'tests/EnvTools.Core.Tests/EnvTools.Core.Tests.csproj'), '-c', $Configuration, '--nologo', '-v', 'minimal')
    $seed = if ($FuzzSeed -ge 0) { $FuzzSeed } else { Get-Random -Minimum 0 -Maximum ([int]::MaxValue) }
    Write-Host "Fuzz seed $seed, $FuzzSeconds s per target (repeat with -FuzzSeed $seed)" -ForegroundColor Cyan
    $env:ENVTOOLS_FUZZ_SEED = "$seed"
    $env:ENVTOOLS_FUZZ_SECONDS = "$FuzzSeconds"
    $env:ENVTOOLS_FUZZ_ITERATIONS = "$([int]::MaxValue - 1000)"
    $env:ENVTOOLS_FUZZ_FINDINGS = Join-Path $Out 'fuzz-findings'
    try {
        $filter = 'FullyQualifiedName~EnvTools.Tests.Fuzz.FuzzTests.ShortRun'
        if ($Filter) { $filter += '&' + (ConvertTo-XunitNameFilter $Filter) }
        & dotnet test (Join-Path $Root 'tests/EnvTools.Core.Tests/EnvTools.Core.Tests.csproj') -c $Configuration --no-build --nologo `
            --filter $filter --logger 'console;verbosity=detailed'
        if ($LASTEXITCODE -ne 0) { Write-Host "Fuzz found problems (seed $seed); inputs in $env:ENVTOOLS_FUZZ_FINDINGS" -ForegroundColor Red; exit 1 }
    }
    finally {
        Remove-Item Env:ENVTOOLS_FUZZ_SEED, Env:ENVTOOLS_FUZZ_SECONDS, Env:ENVTOOLS_FUZZ_ITERATIONS, Env:ENVTOOLS_FUZZ_FINDINGS -ErrorAction SilentlyContinue
    }
}

function Invoke-Bench {
    if ($Suite -ne 'SolveCompare') {
        Invoke-Build  # the Solve suite times the built module's Resolve-EnvPackage against its engine call
    }
    Invoke-Native dotnet @('build', (Join-Path $Root 'bench/EnvTools.Bench/EnvTools.Bench.csproj'), '-c', 'Release', '--nologo', '-v', 'minimal')
    $benchArgs = @('--suite', $Suite.ToLowerInvariant(), '--root', $Root)
    if ($Suite -eq 'SolveCompare') { $benchArgs += @('--base', $Base) }
    Invoke-Native dotnet (@('run', '--project', (Join-Path $Root 'bench/EnvTools.Bench/EnvTools.Bench.csproj'), '-c', 'Release', '--no-build', '--') + $benchArgs)
}

function Invoke-Torture {
    Invoke-Build
    Push-Location $Root
    try {
        Invoke-Native dotnet @('pwsh', '-NoProfile', '-NonInteractive', '-File', (Join-Path $Root 'tests/Torture/Invoke-Torture.ps1'),
            '-Module', (Join-Path $ModuleOut 'EnvTools.psd1'), '-Trials', "$Trials")
    }
    finally { Pop-Location }
}

function Invoke-Demo {
    Invoke-Build
    Invoke-Native dotnet @('pwsh', '-NoProfile', '-NonInteractive', '-File', (Join-Path $Root 'docs/demo.ps1'), '-ModulePath', (Join-Path $ModuleOut 'EnvTools.psd1'))
}

function Invoke-Package {
    Invoke-Build
    $version = (Import-PowerShellDataFile (Join-Path $Root 'EnvTools.psd1')).ModuleVersion
    $zip = Join-Path $Out "EnvTools-$version.zip"
    if (Test-Path $zip) { Remove-Item $zip -Force }
    Compress-Archive -Path $ModuleOut -DestinationPath $zip
    Write-Host "Packaged $zip" -ForegroundColor Green
}

function Invoke-Install {
    if (-not $NoBuild) { Invoke-Build }
    if (-not (Test-Path (Join-Path $ModuleOut 'EnvTools.psd1'))) { throw "No module in ${ModuleOut}: run ./build.ps1 Build first." }
    if (-not $Destination) {
        # PowerShell's user scope: Documents\PowerShell\Modules on Windows, ~/.local/share/powershell/Modules elsewhere.
        $Destination = if ($IsWindows) {
            Join-Path ([Environment]::GetFolderPath('MyDocuments')) 'PowerShell/Modules'
        } else {
            Join-Path ([Environment]::GetFolderPath('LocalApplicationData')) 'powershell/Modules'
        }
    }
    $version = (Import-PowerShellDataFile (Join-Path $Root 'EnvTools.psd1')).ModuleVersion
    $target = Join-Path $Destination "EnvTools/$version"
    if (Test-Path $target) { Remove-Item $target -Recurse -Force }
    New-Item -ItemType Directory -Path $target -Force | Out-Null
    Copy-Item (Join-Path $ModuleOut '*') $target -Recurse
    Write-Host "Installed EnvTools $version in $target" -ForegroundColor Green
    $paths = $env:PSModulePath -split [IO.Path]::PathSeparator
    if ($paths -notcontains $Destination.TrimEnd('/', '\')) {
        Write-Warning "$Destination is not in PSModulePath: add it there, or Import-Module $target/EnvTools.psd1"
    }
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'TestWindows' { Invoke-TestWindows }
    'Bench' { Invoke-Bench }
    'Torture' { Invoke-Torture }
    'Demo' { Invoke-Demo }
    'Package' { Invoke-Package }
    'Install' { Invoke-Install }
    'Fuzz' { Invoke-Fuzz }
}
