# One environment, many processes: real child pwsh processes importing the built module race on one environment.
# The races are made deterministic by holding the environment's lock in this process until every child has planned
# (their -Verbose output says so), then letting them go.
BeforeDiscovery {
    # ENVTOOLS_CONCURRENCY_RUNS=10 repeats the install race ten times.
    $runs = if ($env:ENVTOOLS_CONCURRENCY_RUNS) { [int] $env:ENVTOOLS_CONCURRENCY_RUNS } else { 2 }
}

BeforeAll {
    $modulePath = $env:ENVTOOLS_MODULE
    if (-not $modulePath) { $modulePath = Join-Path $PSScriptRoot '../../out/EnvTools/EnvTools.psd1' }
    $script:modulePath = (Resolve-Path $modulePath).Path
    Import-Module $modulePath -Force
    Import-Module (Join-Path $PSScriptRoot 'TestPackages.psm1') -Force

    $script:saved = Use-IsolatedConda -Root (Join-Path $TestDrive 'conda')
    $script:chan = Join-Path $TestDrive 'channel'
    New-TestPackage -Channel $chan -Name base -Version 1.0 -Files @{ 'share/base.txt' = "base`n" } | Out-Null
    New-TestPackage -Channel $chan -Name dep -Version 1.0 -Files @{ 'share/dep.txt' = "dep 1`n" } | Out-Null
    New-TestPackage -Channel $chan -Name dep -Version 2.0 -Files @{ 'share/dep.txt' = "dep 2`n" } | Out-Null
    New-TestPackage -Channel $chan -Name pa -Version 1.0 -Depends 'dep <2' -Files @{ 'share/pa.txt' = "pa`n" } | Out-Null
    New-TestPackage -Channel $chan -Name pb -Version 1.0 -Depends 'dep >=2' -Files @{ 'share/pb.txt' = "pb`n" } | Out-Null
    New-TestPackage -Channel $chan -Name pc -Version 1.0 -Files @{ 'share/pc.txt' = "pc`n" } | Out-Null
    Update-TestChannelIndex $chan | Out-Null
    # pwsh itself, or (the repository's pwsh tool) the dotnet host with $PSHOME/pwsh.dll: HOME is isolated, so the
    # children cannot find the tool through 'dotnet pwsh'
    $script:pwsh = (Get-Process -Id $PID).Path
    $script:pwshArgs = if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { @(Join-Path $PSHOME 'pwsh.dll') } else { @() }
    $script:repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path

    # Starts a child pwsh that runs $Command (with the module imported) and prints OK or the error's id; its verbose
    # stream goes to <name>.verbose, its output to <name>.out.
    function Start-Child([string] $Name, [string] $Command) {
        $dir = Join-Path $TestDrive 'children'
        New-Item -ItemType Directory $dir -Force | Out-Null
        $verbose = Join-Path $dir "$Name.verbose"
        $out = Join-Path $dir "$Name.out"
        $script = Join-Path $dir "$Name.ps1"
        Set-Content $script @"
`$ErrorActionPreference = 'Stop'
Import-Module '$modulePath'
try { $Command -Verbose 4> '$verbose' | Out-Null; 'OK' }
catch { 'ERR ' + `$_.FullyQualifiedErrorId + ' ' + `$_.Exception.GetType().FullName }
"@
        $p = Start-Process -FilePath $pwsh -ArgumentList (@($pwshArgs) + @('-NoProfile', '-NonInteractive', '-File', $script)) -WorkingDirectory $repoRoot `
            -RedirectStandardOutput $out -RedirectStandardError "$out.err" -PassThru -NoNewWindow
        [pscustomobject]@{ Process = $p; Verbose = $verbose; Out = $out }
    }

    function Wait-Planned($Children, [int] $TimeoutSec = 90) {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
        while ([DateTime]::UtcNow -lt $deadline) {
            $planned = @($Children | Where-Object { (Test-Path $_.Verbose) -and (Select-String -Path $_.Verbose -Pattern 'change\(s\)' -Quiet) })
            if ($planned.Count -eq @($Children).Count) { return }
            foreach ($c in $Children) {
                if ($c.Process.HasExited) { throw "a child ended before it planned: $(Get-Content $c.Out -Raw) $(Get-Content "$($c.Out).err" -Raw)" }
            }
            Start-Sleep -Milliseconds 100
        }
        throw 'the children did not plan in time'
    }

    function Wait-Child($Child, [int] $TimeoutSec = 120) {
        if (-not $Child.Process.WaitForExit($TimeoutSec * 1000)) { $Child.Process.Kill(); throw "child $($Child.Out) did not finish in time" }
        (Get-Content $Child.Out -Raw).Trim()
    }

    function Lock-Prefix([string] $Prefix) {
        [EnvTools.Environments.PrefixLock]::Acquire($Prefix, [TimeSpan]::FromSeconds(10), [Threading.CancellationToken]::None)
    }
}

AfterAll {
    Restore-IsolatedConda $saved
}

Describe 'Two processes installing into one environment' {
    It 'end as if one ran after the other: the second is solved again and is Unsatisfiable (run <_>)' -ForEach (1..$runs) {
        $prefix = Join-Path $TestDrive "e/race-$_"
        New-Env -Prefix $prefix base -Channel $chan | Out-Null
        $held = Lock-Prefix $prefix
        try {
            $a = Start-Child "pa-$_" "Install-EnvPackage pa -Prefix '$prefix' -Channel '$chan'"
            $b = Start-Child "pb-$_" "Install-EnvPackage pb -Prefix '$prefix' -Channel '$chan'"
            Wait-Planned @($a, $b)   # both solved against the environment without the other's package
        }
        finally { $held.Dispose() }
        $results = @((Wait-Child $a), (Wait-Child $b))

        @($results | Where-Object { $_ -eq 'OK' }).Count | Should -Be 1 -Because ($results -join ' | ')
        @($results | Where-Object { $_ -like 'ERR Unsatisfiable,*' }).Count | Should -Be 1 -Because ($results -join ' | ')
        $installed = Get-EnvPackage -Prefix $prefix | ForEach-Object { "$($_.Name)=$($_.Version)" }
        $installed -join ' ' | Should -BeIn @('base=1.0 dep=1.0 pa=1.0', 'base=1.0 dep=2.0 pb=1.0')
        Test-Env -Prefix $prefix | Should -BeNullOrEmpty
    }
}

Describe 'An install racing Remove-Env' {
    It 'never re-creates the environment: the install either ran first or fails with EnvironmentNotFound' {
        $prefix = Join-Path $env:CONDA_ENVS_DIRS 'doomed'
        New-Env -Prefix $prefix base -Channel $chan | Out-Null
        $held = Lock-Prefix $prefix
        try {
            $install = Start-Child 'install-doomed' "Install-EnvPackage pa -Prefix '$prefix' -Channel '$chan'"
            Wait-Planned @($install)
            $remove = Start-Child 'remove-doomed' "Remove-Env -Prefix '$prefix' -Confirm:`$false"
            Start-Sleep -Seconds 3   # let the removal reach the lock too
        }
        finally { $held.Dispose() }
        $i = Wait-Child $install
        $r = Wait-Child $remove

        $r | Should -Be 'OK'
        $i | Should -BeIn @('OK', 'ERR EnvironmentNotFound,EnvTools.Commands.InstallEnvPackageCommand EnvTools.Environments.EnvironmentNotFoundException') -Because $i
        Test-Path $prefix | Should -BeFalse
        (Get-Env).Prefix | Should -Not -Contain $prefix
    }
}

Describe 'A killed New-Env' {
    It 'leaves no environment that Get-Env lists, and New-Env of the same name works without -Force' {
        $prefix = Join-Path $env:CONDA_ENVS_DIRS 'ghost'
        $env:ENVTOOLS_TEST_CRASH_AFTER_FILES = '1'
        try {
            $child = Start-Child 'ghost' "New-Env -Prefix '$prefix' pa -Channel '$chan'"
            $null = $child.Process.WaitForExit(120000)
        }
        finally { Remove-Item env:ENVTOOLS_TEST_CRASH_AFTER_FILES }
        $child.Process.ExitCode | Should -Not -Be 0
        Test-Path (Join-Path $prefix 'conda-meta') | Should -BeTrue

        (Get-Env).Prefix | Should -Not -Contain $prefix
        { Get-EnvPackage -Prefix $prefix -ErrorAction Stop } | Should -Throw -ErrorId 'EnvironmentNotFound,*'
        (New-Env ghost pb -Channel $chan).PackageCount | Should -Be 2
        Get-EnvPackage -Prefix $prefix | ForEach-Object { "$($_.Name)=$($_.Version)" } | Should -Be @('dep=2.0', 'pb=1.0')
        Test-Path (Join-Path $prefix 'share/pa.txt') | Should -BeFalse
        Test-Env -Name ghost | Should -BeNullOrEmpty
    }
}
