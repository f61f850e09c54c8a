BeforeAll {
    $modulePath = $env:ENVTOOLS_MODULE
    if (-not $modulePath) { $modulePath = Join-Path $PSScriptRoot '../../out/EnvTools/EnvTools.psd1' }
    Import-Module $modulePath -Force
    Import-Module (Join-Path $PSScriptRoot 'TestIsolation.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TestChannel.psm1') -Force

    # Isolate what activation reads: HOME (.condarc, environments.txt), the envs dirs, the CUDA library.
    $script:savedVariables = @{}
    foreach ($n in 'HOME', 'USERPROFILE', 'CONDA_ENVS_DIRS', 'CONDA_ENVS_PATH', 'CONDARC', 'ENVTOOLS_CUDA_LIBRARY', 'CONDA_OVERRIDE_CUDA') {
        $script:savedVariables[$n] = [Environment]::GetEnvironmentVariable($n)
    }
    $env:HOME = $env:USERPROFILE = Join-Path $TestDrive 'home'   # ~ is USERPROFILE on Windows, HOME elsewhere
    New-Item -ItemType Directory -Path $env:HOME -Force | Out-Null
    Remove-Item env:CONDARC, env:CONDA_ENVS_PATH, env:ENVTOOLS_CUDA_LIBRARY, env:CONDA_OVERRIDE_CUDA -ErrorAction Ignore
    $script:envsDir = Join-Path $TestDrive 'envs'
    $env:CONDA_ENVS_DIRS = $envsDir
    $script:sep = [IO.Path]::PathSeparator
    # activate.d shell scripts: .sh run in bash on Unix, .bat run in cmd on Windows
    $script:shellExt = if ($IsWindows) { 'bat' } else { 'sh' }
    $script:fromShell = if ($IsWindows) { 'C:\opt\from-sh' } else { '/opt/from-sh' }
    function Get-BinDirs([string] $Prefix) {
        # the PATH entries an activation puts first, in conda's order
        if ($IsWindows) { @($Prefix) + @('Library\mingw-w64\bin', 'Library\usr\bin', 'Library\bin', 'Scripts', 'bin' | ForEach-Object { Join-Path $Prefix $_ }) -join $sep }
        else { "$Prefix/bin" }
    }

    function New-TestEnvironment {
        <# Lays out a conda environment by hand: conda-meta (history, PrefixRecords, state), activate.d/deactivate.d scripts. #>
        param(
            [Parameter(Mandatory)] [string] $Name,
            [hashtable] $StateVariables,
            [hashtable] $PackageVariables,
            [string[]] $CudaRecord,
            [hashtable] $ActivateScripts = @{},
            [hashtable] $DeactivateScripts = @{}
        )
        $prefix = Join-Path $envsDir $Name
        $meta = Join-Path $prefix 'conda-meta'
        New-Item -ItemType Directory -Path $meta, (Join-Path $prefix 'bin') -Force | Out-Null
        "==> 2024-05-16 10:00:00 <==`n# cmd: conda create -n $Name`n+conda-forge/linux-64::zlib-1.3-h0_0`n" | Set-Content (Join-Path $meta 'history') -NoNewline
        [ordered]@{ name = 'zlib'; version = '1.3'; build = 'h0_0'; build_number = 0; depends = @(); subdir = 'linux-64'
            channel = 'https://conda.anaconda.org/conda-forge/linux-64'; fn = 'zlib-1.3-h0_0.conda'; files = @('lib/libz.so') } |
            ConvertTo-Json | Set-Content (Join-Path $meta 'zlib-1.3-h0_0.json')
        if ($CudaRecord) {
            $n, $v, $b = $CudaRecord
            [ordered]@{ name = $n; version = $v; build = $b; build_number = 0; depends = @(); subdir = 'noarch'
                channel = 'https://conda.anaconda.org/conda-forge/noarch'; fn = "$n-$v-$b.conda"; files = @() } |
                ConvertTo-Json | Set-Content (Join-Path $meta "$n-$v-$b.json")
        }
        if ($StateVariables) {
            # conda's own format, as `conda env config vars set` writes it
            '{"env_vars": ' + ($StateVariables | ConvertTo-Json -Compress) + '}' | Set-Content (Join-Path $meta 'state') -NoNewline
        }
        if ($PackageVariables) {
            $d = New-Item -ItemType Directory -Path (Join-Path $prefix 'etc/conda/env_vars.d') -Force
            $PackageVariables | ConvertTo-Json | Set-Content (Join-Path $d 'pkg.json')
        }
        foreach ($kind in 'activate', 'deactivate') {
            $scripts = if ($kind -eq 'activate') { $ActivateScripts } else { $DeactivateScripts }
            if ($scripts.Count -eq 0) { continue }
            $d = New-Item -ItemType Directory -Path (Join-Path $prefix "etc/conda/$kind.d") -Force
            foreach ($file in $scripts.Keys) { $scripts[$file] | Set-Content (Join-Path $d $file) }
        }
        (Resolve-Path $prefix).ProviderPath
    }

    function Get-EnvSnapshot {
        # Every environment variable, byte for byte (names and values), in a stable order.
        (Get-ChildItem env: | Sort-Object Name -CaseSensitive | ForEach-Object { "$($_.Name)=$($_.Value)" }) -join "`0"
    }

    $script:demo = New-TestEnvironment demo -StateVariables @{ DEMO_VAR = 'from state'; SHARED = 'state wins' } `
        -PackageVariables @{ PKG_VAR = 'from env_vars.d'; SHARED = 'package' } `
        -CudaRecord 'cuda-version', '12.4', 'h3060b56_3' `
        -ActivateScripts @{
            'x.ps1' = '$FromActivatePs1 = "dot-sourced"; $env:PS1_VAR = "ps1 ran"; function Get-DemoTool { "demo tool" }'
            "y.$shellExt" = if ($IsWindows) { "@set `"SH_VAR=set by y.bat in %CONDA_DEFAULT_ENV%`"`r`n@set `"PATH=C:\opt\from-sh;%PATH%`"`r`n@set SH_DOOMED=`r`n@echo y.bat says hi" }
                            else { 'export SH_VAR="set by y.sh in $CONDA_DEFAULT_ENV"; export PATH="/opt/from-sh:$PATH"; unset SH_DOOMED; echo "y.sh says hi"' }
        } `
        -DeactivateScripts @{ 'x.ps1' = '$global:DemoDeactivated = $env:CONDA_PREFIX' }
    $script:other = New-TestEnvironment other -StateVariables @{ OTHER_VAR = 'other' }
}

AfterAll {
    foreach ($n in $script:savedVariables.Keys) { Set-TestVariable $n $script:savedVariables[$n] }
}

Describe 'Enable-Env / Disable-Env' {
    BeforeEach {
        while ($global:EnvToolsActivation -and $global:EnvToolsActivation.Count -gt 0) { Disable-Env }
        $env:SH_DOOMED = 'here before activation'
        $script:level0 = [int] $env:CONDA_SHLVL
    }
    AfterEach { Remove-Item env:SH_DOOMED -ErrorAction Ignore }

    It 'sets the variables and PATH, runs activate.d .ps1 in the caller''s scope and takes over the .sh script''s variables' {
        $pathBefore = $env:PATH
        Enable-Env demo -Verbose 4>&1 | Out-String | Should -Match "y\.$shellExt set SH_VAR=set by y\.$shellExt in demo"

        $env:CONDA_PREFIX | Should -BeExactly $demo
        $env:CONDA_DEFAULT_ENV | Should -BeExactly 'demo'
        $env:CONDA_SHLVL | Should -Be ($level0 + 1)
        $env:CONDA_PROMPT_MODIFIER | Should -BeExactly '(demo) '
        $env:PATH | Should -BeExactly ("$fromShell$sep$(Get-BinDirs $demo)$sep$pathBefore")
        $env:DEMO_VAR | Should -BeExactly 'from state'
        $env:PKG_VAR | Should -BeExactly 'from env_vars.d'
        $env:SHARED | Should -BeExactly 'state wins'
        # conda's CUDA variable: CUDA_PATH (the prefix's Library) on Windows, CUDA_HOME (the prefix) elsewhere
        if ($IsWindows) { $env:CUDA_PATH | Should -BeExactly (Join-Path $demo 'Library') } else { $env:CUDA_HOME | Should -BeExactly $demo }
        # activate.d/x.ps1, dot-sourced here
        Get-Variable FromActivatePs1 -Scope 0 -ValueOnly | Should -BeExactly 'dot-sourced'
        Get-Variable FromActivatePs1 -Scope Global -ErrorAction Ignore | Should -BeNullOrEmpty
        Get-DemoTool | Should -BeExactly 'demo tool'
        $env:PS1_VAR | Should -BeExactly 'ps1 ran'
        # activate.d/y.sh, run in bash (y.bat in cmd on Windows), its changes applied
        $env:SH_VAR | Should -BeExactly "set by y.$shellExt in demo"
        Test-Path env:SH_DOOMED | Should -BeFalse
        (prompt) | Should -BeLike '(demo) *'
        Disable-Env
    }

    It 'restores every environment variable byte for byte, and the prompt function itself' {
        $before = Get-EnvSnapshot
        $promptBefore = ${function:global:prompt}
        Enable-Env demo
        Get-EnvSnapshot | Should -Not -Be $before
        [object]::ReferenceEquals($promptBefore, ${function:global:prompt}) | Should -BeFalse
        Disable-Env
        Get-EnvSnapshot | Should -BeExactly $before
        [object]::ReferenceEquals($promptBefore, ${function:global:prompt}) | Should -BeTrue
        $global:DemoDeactivated | Should -BeExactly $demo   # deactivate.d/x.ps1 ran while still active
    }

    It 'restores PATH entry by entry when the user changed PATH meanwhile' {
        $pathBefore = $env:PATH
        Enable-Env -Prefix $demo
        $env:PATH = "/user/first$sep$env:PATH$sep/user/last"
        Disable-Env
        $env:PATH | Should -BeExactly "/user/first$sep$pathBefore$sep/user/last"
    }

    It 'stacks (-Stack keeps the lower PATH) and pops one level at a time' {
        $before = Get-EnvSnapshot
        $pathBefore = $env:PATH
        Enable-Env demo
        $afterDemo = Get-EnvSnapshot
        Enable-Env other -Stack
        $env:CONDA_SHLVL | Should -Be ($level0 + 2)
        $env:CONDA_PREFIX | Should -BeExactly $other
        $env:CONDA_PREFIX_1 | Should -BeExactly $demo
        $env:CONDA_STACKED_2 | Should -Be 'true'
        $env:PATH | Should -BeExactly "$(Get-BinDirs $other)$sep$fromShell$sep$(Get-BinDirs $demo)$sep$pathBefore"
        $env:OTHER_VAR | Should -Be 'other'
        $env:DEMO_VAR | Should -Be 'from state'
        $global:EnvToolsActivation.Count | Should -Be 2
        Disable-Env
        Get-EnvSnapshot | Should -BeExactly $afterDemo
        Disable-Env
        Get-EnvSnapshot | Should -BeExactly $before
    }

    It 'without -Stack replaces the active environment''s PATH entries and variables, and brings them back' {
        $pathBefore = $env:PATH
        Enable-Env demo
        $afterDemo = Get-EnvSnapshot
        Enable-Env other
        $env:PATH | Should -BeExactly "$(Get-BinDirs $other)$sep$pathBefore"
        Test-Path env:DEMO_VAR | Should -BeFalse
        $env:CONDA_PREFIX_1 | Should -BeExactly $demo
        Disable-Env
        Get-EnvSnapshot | Should -BeExactly $afterDemo
        Disable-Env
    }

    It 'reports a missing environment as EnvironmentNotFound with close names, changing nothing' {
        $before = Get-EnvSnapshot
        Enable-Env demoo -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'EnvironmentNotFound,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].Exception.Suggestions | Should -Contain 'demo'
        $err[0].Exception.Message | Should -Match "Did you mean: demo"
        Enable-Env -Prefix (Join-Path $TestDrive 'nowhere') -ErrorVariable err2 -ErrorAction SilentlyContinue
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'EnvironmentNotFound,*'
        Get-EnvSnapshot | Should -BeExactly $before
    }

    It 'reports Disable-Env with nothing active as NoActiveEnvironment' {
        Disable-Env -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NoActiveEnvironment,*'
    }

    It 'undoes a half-done activation when an activate.d script fails (ActivationScriptFailed)' {
        $bad = New-TestEnvironment bad -StateVariables @{ BAD_VAR = '1' } -ActivateScripts @{
            "a.$shellExt" = if ($IsWindows) { "@set HALF=1`r`n@exit /b 3" } else { 'export HALF=1; exit 3' } }
        $before = Get-EnvSnapshot
        Enable-Env bad -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ActivationScriptFailed,*'
        $err[0].Exception.Message | Should -Match "a\.$shellExt"
        Get-EnvSnapshot | Should -BeExactly $before
        $global:EnvToolsActivation.Count | Should -Be 0
    }

    It 'works in ConstrainedLanguage: the prompt wrapper, and an activate.d .ps1 that breaks the mode is a clear error' {
        $ok = New-TestEnvironment clok -ActivateScripts @{ 'a.ps1' = '$env:CL_OK = "ran in $($ExecutionContext.SessionState.LanguageMode)"' }
        $bad = New-TestEnvironment clbad -StateVariables @{ CL_BAD = '1' } -ActivateScripts @{ 'a.ps1' = '$p = [System.IO.Path]::Combine("a", "b")' }
        $iss = [initialsessionstate]::CreateDefault2()
        $iss.LanguageMode = 'ConstrainedLanguage'
        $iss.ImportPSModule((Get-Module EnvTools).Path)
        $ps = [powershell]::Create($iss)
        try {
            $before = Get-EnvSnapshot
            $out = $ps.AddScript(@'
                Enable-Env clok
                $seen = "$env:CL_OK|$(prompt)"
                Disable-Env
                $seen + "|" + (prompt)
                try { Enable-Env clbad -ErrorAction Stop; 'no error' } catch { $_.FullyQualifiedErrorId + '|' + $_.Exception.Message }
                "level: $($global:EnvToolsActivation.Count)"
'@).Invoke()
            $ps.Streams.Error | Should -BeNullOrEmpty
            $out[0] | Should -BeLike 'ran in ConstrainedLanguage|(clok) PS *|PS *'
            $out[0] | Should -Not -BeLike '*|PS *(clok)*'
            $out[1] | Should -BeLike 'ActivationScriptFailed,*'
            $out[1] | Should -BeLike "*$bad*a.ps1*Method invocation is supported only on core types*(the session runs in ConstrainedLanguage)*"
            $out[2] | Should -Be 'level: 0'
            Get-EnvSnapshot | Should -BeExactly $before
        }
        finally { $ps.Dispose() }
    }

    It 'sets no CUDA variable for an environment without a CUDA toolkit' {
        Enable-Env other
        Test-Path env:CUDA_HOME | Should -BeFalse
        if ($IsWindows) { $env:CUDA_PATH | Should -Not -BeLike "$other*" }
        Disable-Env
    }

    It 'does not touch the prompt when changeps1 is false' {
        Set-Content (Join-Path $env:HOME '.condarc') "changeps1: false`n"
        try {
            $promptBefore = ${function:global:prompt}
            Enable-Env demo
            [object]::ReferenceEquals($promptBefore, ${function:global:prompt}) | Should -BeTrue
            Test-Path env:CONDA_PROMPT_MODIFIER | Should -BeFalse
            Disable-Env
        }
        finally { Remove-Item (Join-Path $env:HOME '.condarc') -Force }
    }

    It 'passes the activation through with -PassThru' {
        $a = Enable-Env demo -PassThru
        $a.PSObject.TypeNames[0] | Should -Be 'EnvTools.Activation'
        $a.Prefix | Should -BeExactly $demo
        $a.AddedPathEntries | Should -Contain (Join-Path $demo 'bin')
        $a.Saved.Keys | Should -Contain 'CONDA_PREFIX'
        Disable-Env
    }
}

Describe 'Use-Env' {
    It 'runs the block inside the environment and writes its output' {
        $before = Get-EnvSnapshot
        Use-Env demo { $env:CONDA_PREFIX; $env:DEMO_VAR } | Should -Be @($demo, 'from state')
        Get-EnvSnapshot | Should -BeExactly $before
    }

    It 'restores the session when the block throws' {
        $before = Get-EnvSnapshot
        $script:seen = $null
        { Use-Env -Prefix $demo -ScriptBlock { $script:seen = $env:CONDA_PREFIX; throw 'boom' } } | Should -Throw '*boom*'
        $script:seen | Should -BeExactly $demo
        Get-EnvSnapshot | Should -BeExactly $before
        $global:EnvToolsActivation.Count | Should -Be 0
    }

    It 'restores the session when downstream stops the pipeline' {
        $before = Get-EnvSnapshot
        Use-Env demo { 1; 2; 3 } | Select-Object -First 1 | Should -Be 1
        Get-EnvSnapshot | Should -BeExactly $before
    }

    It 'restores the session when the pipeline is stopped (Ctrl+C) while the block runs' {
        $ps = [powershell]::Create()
        try {
            # Opening a runspace and importing the module change PSModulePath: do that before the snapshot.
            $null = $ps.AddScript("Import-Module '$(Join-Path (Get-Module EnvTools).ModuleBase 'EnvTools.psd1')'").Invoke()
            $ps.Commands.Clear()
            $before = Get-EnvSnapshot
            $marker = Join-Path $TestDrive 'block-started'
            $null = $ps.AddScript("Use-Env -Prefix '$demo' { Set-Content '$marker' `$env:CONDA_PREFIX; Start-Sleep -Seconds 60 }")
            $async = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not (Test-Path $marker) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            Get-Content $marker | Should -BeExactly $demo
            $env:CONDA_PREFIX | Should -BeExactly $demo   # the process environment is shared with the other runspace
            $ps.Stop()
            { $ps.EndInvoke($async) } | Should -Throw
            Get-EnvSnapshot | Should -BeExactly $before
        }
        finally { $ps.Dispose() }
    }
}

Describe 'Set-EnvVariable / Get-EnvVariable / Remove-EnvVariable' {
    It 'manages conda-meta/state in conda''s format' {
        $p = New-TestEnvironment vars -StateVariables @{ KEEP = 'kept' }
        Set-EnvVariable ([ordered]@{ OMP_NUM_THREADS = 4; MY_FLAG = 'on' }) -Name vars
        $state = Get-Content (Join-Path $p 'conda-meta/state') -Raw | ConvertFrom-Json -AsHashtable
        $state.env_vars.KEEP | Should -Be 'kept'
        $state.env_vars.OMP_NUM_THREADS | Should -BeExactly '4'
        $state.env_vars.MY_FLAG | Should -BeExactly 'on'
        (Get-EnvVariable -Name vars).Name | Should -Be @('KEEP', 'OMP_NUM_THREADS', 'MY_FLAG')
        (Get-EnvVariable 'OMP*' -Prefix $p).Value | Should -BeExactly '4'
        (Get-EnvVariable -Name vars)[0].PSObject.TypeNames[0] | Should -Be 'EnvTools.EnvVariable'

        Remove-EnvVariable OMP_NUM_THREADS, NOT_THERE -Name vars -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'EnvVariableNotFound,*'
        (Get-EnvVariable -Name vars).Name | Should -Be @('KEEP', 'MY_FLAG')

        Enable-Env vars
        $env:MY_FLAG | Should -Be 'on'
        (Get-EnvVariable).Name | Should -Contain 'MY_FLAG'   # the active environment by default
        Disable-Env
    }

    It 'lists the packages'' variables with -IncludePackage' {
        (Get-EnvVariable -Name demo -IncludePackage | Where-Object Name -eq PKG_VAR).Source | Should -Match 'env_vars\.d'
        (Get-EnvVariable -Name demo).Name | Should -Not -Contain 'PKG_VAR'
    }

    It 'reports NoActiveEnvironment without -Name/-Prefix and nothing active' {
        Get-EnvVariable -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NoActiveEnvironment,*'
    }
}

Describe 'Get-EnvVirtualPackage and __cuda' {
    BeforeAll {
        $script:gcc = Get-Command gcc -ErrorAction Ignore
        $script:onLinux = $IsLinux -and [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'X64'
        if ($gcc -and $onLinux) {
            $src = Join-Path $TestDrive 'fakecuda.c'
            @'
int cuInit(unsigned int flags) { return flags == 0 ? 0 : 1; }
int cuDriverGetVersion(int *version) { *version = 12040; return 0; }
'@ | Set-Content $src
            $script:fakeCuda = Join-Path $TestDrive 'fake/libcuda.so.1'
            New-Item -ItemType Directory (Split-Path $fakeCuda) -Force | Out-Null
            & gcc -shared -fPIC -o $fakeCuda $src
            if ($LASTEXITCODE -ne 0) { throw 'gcc failed to build the fake libcuda' }
        }
        $channelRecords = @(
            New-TestRecord mylib 1.0 -Build cuda12_1 -BuildNumber 1 -Depends '__cuda >=12'
            New-TestRecord mylib 1.0 -Build cpu_0 -BuildNumber 0
        )
        $script:cudaChannel = New-TestChannel -Path (Join-Path $TestDrive 'cuda-channel') -Records ($channelRecords | ForEach-Object {
            $_.subdir = [EnvTools.Conda.Platform]::Current.Name; $_ })
    }
    AfterEach { Remove-Item env:ENVTOOLS_CUDA_LIBRARY, env:CONDA_OVERRIDE_CUDA -ErrorAction Ignore }

    It 'detects the host for real: glibc, kernel, CPU level, with origins and timings' {
        if (-not $onLinux) { Set-ItResult -Skipped -Because 'host detection is checked on linux-64'; return }
        $v = Get-EnvVirtualPackage
        $v[0].PSObject.TypeNames[0] | Should -Be 'EnvTools.VirtualPackage'
        $glibc = $v | Where-Object Name -eq '__glibc'
        $glibc.Version | Should -Be ((& getconf GNU_LIBC_VERSION) -replace '^glibc\s+', '')
        $glibc.Source | Should -Be 'Detected'
        $glibc.Origin | Should -Match 'gnu_get_libc_version'
        $linux = $v | Where-Object Name -eq '__linux'
        (Get-Content /proc/sys/kernel/osrelease) | Should -BeLike "$($linux.Version)*"
        ($v | Where-Object Name -eq '__archspec').Build | Should -Match '^x86_64(_v[234])?$'
        ($v | Where-Object Name -eq '__unix') | Should -Not -BeNullOrEmpty
        $v | ForEach-Object { $_.DetectionTime | Should -BeOfType [TimeSpan] }
    }

    It 'detects __cuda=12.4 from a libcuda that answers cuDriverGetVersion (in a child process)' {
        if (-not ($gcc -and $onLinux)) { Set-ItResult -Skipped -Because 'needs gcc on linux-64'; return }
        $env:ENVTOOLS_CUDA_LIBRARY = $fakeCuda
        $cuda = Get-EnvVirtualPackage -Refresh | Where-Object Name -eq '__cuda'
        $cuda.Version | Should -Be '12.4'
        $cuda.Source | Should -Be 'Detected'
        $cuda.Origin | Should -Be "cuDriverGetVersion in $fakeCuda"
        $cuda.DetectionTime | Should -BeGreaterThan ([TimeSpan]::Zero)
    }

    It 'lets CONDA_OVERRIDE_CUDA and override_virtual_packages win, and an empty value remove __cuda' {
        if (-not ($gcc -and $onLinux)) { Set-ItResult -Skipped -Because 'needs gcc on linux-64'; return }
        $env:ENVTOOLS_CUDA_LIBRARY = $fakeCuda
        $env:CONDA_OVERRIDE_CUDA = '11.8'
        $cuda = Get-EnvVirtualPackage | Where-Object Name -eq '__cuda'
        ($cuda.Version, "$($cuda.Source)", $cuda.Origin) | Should -Be @('11.8', 'Override', 'CONDA_OVERRIDE_CUDA')
        Remove-Item env:CONDA_OVERRIDE_CUDA

        Set-Content (Join-Path $env:HOME '.condarc') "override_virtual_packages:`n  cuda: '12.1'`n"
        try {
            $cuda = Get-EnvVirtualPackage | Where-Object Name -eq '__cuda'
            ($cuda.Version, "$($cuda.Source)") | Should -Be @('12.1', 'Config')
            Set-Content (Join-Path $env:HOME '.condarc') "override_virtual_packages:`n  cuda: ''`n"
            Get-EnvVirtualPackage | Where-Object Name -eq '__cuda' | Should -BeNullOrEmpty
        }
        finally { Remove-Item (Join-Path $env:HOME '.condarc') -Force }

        # An empty CONDA_OVERRIDE_CUDA cannot be set in-process (.NET removes empty variables): a child session gets one.
        $pwshArgs = @(if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { "$PSHOME/pwsh.dll" })
        $probe = "Import-Module '$(Join-Path (Get-Module EnvTools).ModuleBase 'EnvTools.psd1')'; `$v = Get-EnvVirtualPackage; " +
            "'override=[' + `$env:CONDA_OVERRIDE_CUDA + '] set=' + (Test-Path env:CONDA_OVERRIDE_CUDA) + ' cuda=' + ((`$v | Where-Object Name -eq '__cuda').Version)"
        $out = & /usr/bin/env CONDA_OVERRIDE_CUDA= ([Environment]::ProcessPath) @pwshArgs -NoProfile -NonInteractive -Command $probe
        $out | Should -Be 'override=[] set=True cuda='
        $out = & /usr/bin/env ([Environment]::ProcessPath) @pwshArgs -NoProfile -NonInteractive -Command $probe
        $out | Should -Be 'override=[] set=False cuda=12.4'
    }

    It 'has no __cuda when the driver fails cuInit' {
        if (-not ($gcc -and $onLinux)) { Set-ItResult -Skipped -Because 'needs gcc on linux-64'; return }
        $src = Join-Path $TestDrive 'nodevice.c'
        'int cuInit(unsigned int f) { return 100; } int cuDriverGetVersion(int *v) { *v = 12040; return 0; }' | Set-Content $src
        $lib = Join-Path $TestDrive 'nodevice/libcuda.so.1'
        New-Item -ItemType Directory (Split-Path $lib) -Force | Out-Null
        & gcc -shared -fPIC -o $lib $src
        $env:ENVTOOLS_CUDA_LIBRARY = $lib
        Get-EnvVirtualPackage -Refresh -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } |
            ForEach-Object Message | Should -Contain "__cuda: libcuda: $lib cuInit returned 100"
        Get-EnvVirtualPackage | Where-Object Name -eq '__cuda' | Should -BeNullOrEmpty
    }

    It 'makes the solver choose the CUDA build by default when the driver is there, the CPU build when not' {
        if (-not ($gcc -and $onLinux)) { Set-ItResult -Skipped -Because 'needs gcc on linux-64'; return }
        $env:ENVTOOLS_CUDA_LIBRARY = $fakeCuda
        (Resolve-EnvPackage mylib -Channel $cudaChannel -OverrideChannels).Build | Should -Be 'cuda12_1'
        $env:ENVTOOLS_CUDA_LIBRARY = Join-Path $TestDrive 'no/libcuda.so.1'
        (Resolve-EnvPackage mylib -Channel $cudaChannel -OverrideChannels).Build | Should -Be 'cpu_0'
        $env:CONDA_OVERRIDE_CUDA = '11.8'
        (Resolve-EnvPackage mylib -Channel $cudaChannel -OverrideChannels).Build | Should -Be 'cpu_0'
        $env:CONDA_OVERRIDE_CUDA = '12.2'
        (Resolve-EnvPackage mylib -Channel $cudaChannel -OverrideChannels).Build | Should -Be 'cuda12_1'
    }
}
