BeforeAll {
    $modulePath = $env:ENVTOOLS_MODULE
    if (-not $modulePath) { $modulePath = Join-Path $PSScriptRoot '../../out/EnvTools/EnvTools.psd1' }
    Import-Module $modulePath -Force
    Import-Module (Join-Path $PSScriptRoot 'TestIsolation.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TestData.psm1') -Force

    # Isolation: HOME (environments.txt; USERPROFILE on Windows), only $CONDARC read, no active environment.
    $script:saved = @{}
    foreach ($name in 'HOME', 'USERPROFILE', 'CONDARC', 'CONDA_RESTRICT_RC_SEARCH_PATH', 'CONDA_ENVS_DIRS', 'CONDA_ENVS_PATH', 'CONDA_PREFIX') {
        $script:saved[$name] = [Environment]::GetEnvironmentVariable($name)
        Set-TestVariable $name $null
    }
    $env:CONDA_RESTRICT_RC_SEARCH_PATH = '1'

    function script:Get-Sha256([string] $Path) { (Get-FileHash -Algorithm SHA256 -LiteralPath $Path).Hash.ToLowerInvariant() }

    # Writes files into $Prefix and a conda-meta record listing them with their real sha256 and size.
    function script:Add-TestPackage {
        param([string] $Prefix, [string] $Name, [string] $Version = '1.0', [string] $Build = '0',
            [hashtable] $Files = @{}, [string] $RequestedSpec, [string] $Subdir = 'linux-64')
        $paths = foreach ($rel in $Files.Keys | Sort-Object) {
            $full = Join-Path $Prefix $rel
            New-Item -ItemType Directory -Path (Split-Path $full) -Force | Out-Null
            [IO.File]::WriteAllText($full, $Files[$rel])
            [EnvTools.Conda.PrefixRecordPath]@{ Path = $rel; PathType = 'hardlink'; Sha256 = (Get-Sha256 $full); SizeInBytes = (Get-Item $full).Length }
        }
        $record = [EnvTools.Conda.PrefixRecord]@{
            Name = $Name; Version = $Version; Build = $Build; BuildNumber = 0; Subdir = $Subdir; Size = 1234
            Channel = "https://conda.anaconda.org/conda-forge/$Subdir"
            Files = [string[]] @($Files.Keys | Sort-Object)
            PathsData = [EnvTools.Conda.PrefixRecordPathsData]@{ PathsVersion = 1; Paths = [EnvTools.Conda.PrefixRecordPath[]] @($paths) }
            RequestedSpec = $RequestedSpec
        }
        $meta = Join-Path $Prefix 'conda-meta'
        New-Item -ItemType Directory -Path $meta -Force | Out-Null
        $stream = [IO.File]::Create((Join-Path $meta "$Name-$Version-$Build.json"))
        try { $record.Write($stream) } finally { $stream.Dispose() }
    }

    function script:New-TestEnv([string] $Prefix, [string] $Python = '3.12.3') {
        Add-TestPackage $Prefix python $Python 'hab00c5b_0_cpython' -RequestedSpec 'python=3.12' -Files @{ 'bin/python3.12' = 'not really an ELF' }
        $sp = "lib/python$(($Python -split '\.')[0..1] -join '.')/site-packages"
        Add-TestPackage $Prefix numpy '2.0.0' 'py312h1234567_0' -Files @{
            "$sp/numpy/__init__.py"                 = "__version__ = '2.0.0'`n"
            "$sp/numpy-2.0.0.dist-info/METADATA"     = "Name: numpy`nVersion: 2.0.0`n"
            "$sp/numpy-2.0.0.dist-info/INSTALLER"    = "conda`n"
        }
        Add-TestPackage $Prefix zlib '1.3.1' 'h4ab18f5_1' -Files @{ 'lib/libz.so.1.3.1' = 'zlib bytes'; 'include/zlib.h' = '/* zlib */' }
        # A pip-installed distribution that no conda record owns.
        $dist = Join-Path $Prefix "$sp/requests-2.32.3.dist-info"
        New-Item -ItemType Directory -Path $dist -Force | Out-Null
        Set-Content -LiteralPath (Join-Path $dist 'METADATA') -Value "Metadata-Version: 2.1`nName: requests`nVersion: 2.32.3`n"
        Set-Content -LiteralPath (Join-Path $dist 'INSTALLER') -Value 'pip'
        Set-Content -LiteralPath (Join-Path $dist 'RECORD') -Value "requests/__init__.py,sha256=x,5000`nrequests/api.py,sha256=y,1500`nrequests-2.32.3.dist-info/RECORD,,"
        Set-Content -LiteralPath (Join-Path $Prefix 'conda-meta/history') -Value "==> 2024-05-01 10:00:00 <==`n# cmd: conda create -p $Prefix python=3.12 numpy`n# update specs: ['python=3.12', 'numpy']`n"
    }
}

AfterAll {
    foreach ($name in $script:saved.Keys) { Set-TestVariable $name $script:saved[$name] }
}

Describe 'Environment cmdlets' {
    BeforeEach {
        $script:root = Join-Path $TestDrive ([guid]::NewGuid().ToString('N').Substring(0, 8))
        $script:envs = Join-Path $root 'envs'
        $env:HOME = $env:USERPROFILE = Join-Path $root 'home'
        New-Item -ItemType Directory -Path $env:HOME, $envs -Force | Out-Null
        $env:CONDARC = Join-Path $root 'condarc.yml'
        Set-Content -LiteralPath $env:CONDARC -Value "envs_dirs:`n  - $envs"
        Remove-Item Env:CONDA_PREFIX -ErrorAction SilentlyContinue
        foreach ($n in 'ml-cpu', 'ml-gpu', 'web') { New-TestEnv (Join-Path $envs $n) }
        Add-TestPackage (Join-Path $envs 'ml-gpu') cuda-version '12.4' 'h3060b56_3'
        # An environment outside the envs dirs, known only through environments.txt.
        $script:elsewhere = Join-Path $root 'projects/app/.env'
        New-TestEnv $elsewhere '3.11.9'
        New-Item -ItemType Directory -Path (Join-Path $env:HOME '.conda') -Force | Out-Null
        Set-Content -LiteralPath (Join-Path $env:HOME '.conda/environments.txt') -Value @((Join-Path $envs 'web'), $elsewhere)
    }

    Context 'Get-Env' {
        It 'lists every environment, the envs dirs first, then the registered prefixes' {
            $all = Get-Env
            $all[0].PSObject.TypeNames[0] | Should -Be 'EnvTools.EnvironmentInfo'
            $all.Name | Should -Be @('ml-cpu', 'ml-gpu', 'web', $null)
            $all.Count | Should -Be 4
            $all[3].Name | Should -BeNullOrEmpty
            $all[3].Prefix | Should -Be $elsewhere
            $all[3].PythonVersion | Should -Be '3.11.9'
            $all[1].CudaVersion | Should -Be '12.4'
            $all[0].CudaVersion | Should -BeNullOrEmpty
            $all[0].PackageCount | Should -Be 3
            $all[0].LastModified | Should -Be ([datetime] '2024-05-01 10:00:00')
        }

        It 'filters with wildcards and exact names, each environment once' {
            (Get-Env ml*).Name | Should -Be @('ml-cpu', 'ml-gpu')
            (Get-Env 'ml-gpu').Prefix | Should -Be (Join-Path $envs 'ml-gpu')
            (Get-Env ml*, *gpu).Name | Should -Be @('ml-cpu', 'ml-gpu')
            (Get-Env $elsewhere).Prefix | Should -Be $elsewhere
            Get-Env 'zz*' | Should -BeNullOrEmpty
            ('web', 'ml-cpu' | Get-Env).Name | Should -Be @('web', 'ml-cpu')
        }

        It 'reports EnvironmentNotFound with close names' {
            $result = Get-Env 'ml-cpo' -ErrorVariable err -ErrorAction SilentlyContinue
            $result | Should -BeNullOrEmpty
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'EnvironmentNotFound,EnvTools.Commands.GetEnvCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err[0].Exception.Suggestions | Should -Contain 'ml-cpu'
            $err[0].Exception.Message | Should -Match 'Did you mean: ml-cpu'
        }

        It 'marks the active environment from CONDA_PREFIX' {
            $env:CONDA_PREFIX = Join-Path $envs 'web'
            try { (Get-Env | Where-Object IsActive).Name | Should -Be 'web' }
            finally { Remove-Item Env:CONDA_PREFIX }
        }

        It 'counts hard links into the package cache in SizeOnDisk but not in ExclusiveSize' {
            $pkgs = Join-Path $root 'pkgs/big-1.0-0/lib'
            New-Item -ItemType Directory -Path $pkgs -Force | Out-Null
            $cached = Join-Path $pkgs 'libbig.so'
            [IO.File]::WriteAllBytes($cached, [byte[]]::new(50000))
            $prefix = Join-Path $envs 'ml-cpu'
            $before = Get-Env ml-cpu | Select-Object SizeOnDisk, ExclusiveSize   # the sizes are computed when first read
            $before.ExclusiveSize | Should -Be $before.SizeOnDisk
            New-Item -ItemType HardLink -Path (Join-Path $prefix 'lib/libbig.so') -Target $cached | Out-Null
            $after = Get-Env ml-cpu
            $after.SizeOnDisk | Should -Be ($before.SizeOnDisk + 50000)
            $after.ExclusiveSize | Should -Be $before.ExclusiveSize
            # Once the cache copy is gone, the environment owns the file alone.
            Remove-Item $cached
            (Get-Env ml-cpu).ExclusiveSize | Should -Be $after.SizeOnDisk
        }

        It 'has a table view and completes environment names' {
            $text = Get-Env | Format-Table | Out-String -Width 200
            $text | Should -Match 'Packages'
            $text | Should -Match 'ml-gpu'
            $completions = (TabExpansion2 -inputScript 'Get-Env ml-' -cursorColumn 11).CompletionMatches.CompletionText
            $completions | Should -Be @('ml-cpu', 'ml-gpu')
            (TabExpansion2 -inputScript 'Get-EnvPackage -Env we' -cursorColumn 22).CompletionMatches.CompletionText | Should -Be 'web'
        }
    }

    Context 'Get-EnvPackage' {
        It 'lists conda and pip packages sorted by name, with requested specs' {
            $pkgs = Get-EnvPackage -Env ml-cpu
            $pkgs[0].PSObject.TypeNames[0] | Should -Be 'EnvTools.InstalledPackage'
            $pkgs.Name | Should -Be @('numpy', 'python', 'requests', 'zlib')
            $py = $pkgs | Where-Object Name -eq python
            $py.Version | Should -Be '3.12.3'
            $py.Channel | Should -Be 'conda-forge'
            $py.Subdir | Should -Be 'linux-64'
            $py.RequestedSpec | Should -Be 'python=3.12'
            ($pkgs | Where-Object Name -eq numpy).RequestedSpec | Should -Be 'numpy'   # from the history
            ($pkgs | Where-Object Name -eq zlib).RequestedSpec | Should -BeNullOrEmpty
            $pip = $pkgs | Where-Object Source -eq Pypi
            $pip.Name | Should -Be 'requests'
            $pip.Channel | Should -Be 'pypi'
            $pip.Build | Should -Be 'pypi_0'
            $pip.Size | Should -Be 6500
            ($pkgs | Where-Object Name -eq zlib).Size | Should -Be ('zlib bytes'.Length + '/* zlib */'.Length)
        }

        It 'takes environments from the pipeline: Get-Env ml* | Get-EnvPackage' {
            $pkgs = Get-Env ml* | Get-EnvPackage
            $pkgs.Count | Should -Be 9
            ($pkgs | Group-Object Prefix).Name | Should -Be @((Join-Path $envs 'ml-cpu'), (Join-Path $envs 'ml-gpu'))
            (Get-Env ml* | Get-EnvPackage cuda*).Prefix | Should -Be (Join-Path $envs 'ml-gpu')
            (Get-Env | Get-EnvPackage python | Where-Object Version -like '3.11*').Prefix | Should -Be $elsewhere
        }

        It 'filters names with wildcards and reports a missing name' {
            (Get-EnvPackage -Prefix (Join-Path $envs 'web') num*, zlib).Name | Should -Be @('numpy', 'zlib')
            $null = Get-EnvPackage nosuch -Env web -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -Be 'PackageNotInstalled,EnvTools.Commands.GetEnvPackageCommand'
        }

        It 'uses the active environment, and says so when there is none' {
            $null = Get-EnvPackage -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -Be 'NoActiveEnvironment,EnvTools.Commands.GetEnvPackageCommand'
            $env:CONDA_PREFIX = $elsewhere
            try { (Get-EnvPackage python).Version | Should -Be '3.11.9' }
            finally { Remove-Item Env:CONDA_PREFIX }
            $null = Get-EnvPackage -Env ml-cpo -ErrorVariable err2 -ErrorAction SilentlyContinue
            $err2[0].FullyQualifiedErrorId | Should -Be 'EnvironmentNotFound,EnvTools.Commands.GetEnvPackageCommand'
        }

        It 'has a table view' {
            $text = Get-EnvPackage -Env web | Format-Table | Out-String -Width 200
            $text | Should -Match 'RequestedSpec'
            $text | Should -Match 'pypi_0'
        }

        It 'reads real conda-written conda-meta records' {
            $rel = 'prefix-records/conda-tests-env_metadata/envpy313tosx_whl/conda-meta'
            if (-not (Test-ConformanceData $rel)) { Set-ItResult -Skipped -Because (Get-ConformanceDataMessage $rel); return }
            $meta = Get-ConformanceDataPath $rel
            $real = Join-Path $envs 'real'
            New-Item -ItemType Directory -Path $real | Out-Null
            Copy-Item $meta (Join-Path $real 'conda-meta') -Recurse
            $pkgs = Get-EnvPackage -Env real
            $pkgs.Count | Should -Be 16
            ($pkgs | Where-Object Name -eq python).RequestedSpec | Should -Be 'python=3.13'
            ($pkgs | Where-Object Name -eq python).Build | Should -Be 'hfd29fff_1_cp313t'
            ($pkgs.Channel | Sort-Object -Unique) | Should -Be 'conda-forge'
            (Get-Env real).PythonVersion | Should -Be '3.13.2'
            # The files themselves are not there: Test-Env reports them all missing.
            $issues = Test-Env real
            $issues.Count | Should -BeGreaterThan 1000
            ($issues.Kind | Sort-Object -Unique) | Should -Be 'Missing'
        }
    }

    Context 'Test-Env' {
        It 'gives nothing for a healthy environment, and -Quiet gives $true' {
            Test-Env ml-cpu | Should -BeNullOrEmpty
            Test-Env ml-cpu -Quiet | Should -BeTrue
        }

        It 'finds a modified and a deleted file' {
            $prefix = Join-Path $envs 'ml-cpu'
            Set-Content -LiteralPath (Join-Path $prefix 'include/zlib.h') -Value '/* ZLIB */' -NoNewline   # same size, other bytes
            Remove-Item (Join-Path $prefix 'lib/libz.so.1.3.1')
            Add-Content -LiteralPath (Join-Path $prefix 'bin/python3.12') -Value 'more'
            $issues = Test-Env -Prefix $prefix
            $issues[0].PSObject.TypeNames[0] | Should -Be 'EnvTools.FileIssue'
            @($issues | ForEach-Object { "$($_.Package) $($_.Path) $($_.Kind)" }) | Should -Be @(
                'python bin/python3.12 SizeMismatch'
                'zlib include/zlib.h Modified'
                'zlib lib/libz.so.1.3.1 Missing')
            $issues[1].Expected | Should -Be (-join ([Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes('/* zlib */')) | ForEach-Object { $_.ToString('x2') }))
            $issues[1].Actual | Should -Be (Get-Sha256 (Join-Path $prefix 'include/zlib.h'))
            Test-Env ml-cpu -Quiet | Should -BeFalse
            (Get-Env ml* | Test-Env).Count | Should -Be 3
            (Test-Env ml-cpu | Format-Table | Out-String -Width 200) | Should -Match 'SizeMismatch'
        }
    }

    Context 'Remove-Env' {
        It 'changes nothing with -WhatIf' {
            Remove-Env ml-gpu -WhatIf
            Get-Env ml-gpu | Should -Not -BeNullOrEmpty
            Test-Path (Join-Path $envs 'ml-gpu/conda-meta') | Should -BeTrue
        }

        It 'removes and unregisters with -Confirm:$false' {
            Remove-Env web -Confirm:$false
            Test-Path (Join-Path $envs 'web') | Should -BeFalse
            (Get-Env).Name | Should -Not -Contain 'web'
            Get-Content (Join-Path $env:HOME '.conda/environments.txt') | Should -Be @($elsewhere)
            @(Get-ChildItem -Force $envs).Name | Should -Be @('ml-cpu', 'ml-gpu')   # no trash left behind

            Get-Env | Where-Object { -not $_.Name } | Remove-Env -Confirm:$false
            Test-Path $elsewhere | Should -BeFalse
            Get-Content (Join-Path $env:HOME '.conda/environments.txt') | Should -BeNullOrEmpty
        }

        It 'takes Get-Env output from the pipeline' {
            Get-Env ml* | Remove-Env -Confirm:$false
            (Get-Env).Name | Should -Be @('web', $null)
        }

        It 'refuses the active environment and unknown names' {
            $env:CONDA_PREFIX = Join-Path $envs 'web'
            try {
                Remove-Env web -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
                $err[0].FullyQualifiedErrorId | Should -Be 'EnvironmentActive,EnvTools.Commands.RemoveEnvCommand'
                Test-Path (Join-Path $envs 'web/conda-meta') | Should -BeTrue
            }
            finally { Remove-Item Env:CONDA_PREFIX }
            Remove-Env wbe -Confirm:$false -ErrorVariable err2 -ErrorAction SilentlyContinue
            $err2[0].FullyQualifiedErrorId | Should -Be 'EnvironmentNotFound,EnvTools.Commands.RemoveEnvCommand'
            $err2[0].Exception.Suggestions | Should -Contain 'web'
        }
    }

    Context 'Output types' {
        It 'declares its output types and shows PackageChange objects with a table view' {
            (Get-Command Get-Env).OutputType.Type | Should -Be ([EnvTools.Environments.EnvironmentInfo])
            (Get-Command Get-EnvPackage).OutputType.Type | Should -Be ([EnvTools.Environments.InstalledPackage])
            $old = [EnvTools.Conda.PrefixRecord]@{ Name = 'zlib'; Version = '1.2.13'; Build = 'h0_0'; Channel = 'conda-forge' }
            $new = [EnvTools.Conda.RepoDataRecord]@{ Name = 'zlib'; Version = '1.3.1'; Build = 'h4ab18f5_1'; Channel = 'https://conda.anaconda.org/conda-forge/linux-64'; Size = 90000 }
            $change = [EnvTools.Environments.PackageChange]::Diff([EnvTools.Conda.PrefixRecord[]] @($old), [EnvTools.Conda.RepoDataRecord[]] @($new))[0]
            $change.Action | Should -Be 'Update'
            $o = [psobject]::AsPSObject($change); $o.PSObject.TypeNames.Insert(0, 'EnvTools.PackageChange')
            ($o | Format-Table | Out-String -Width 200) | Should -Match '1\.2\.13 -> 1\.3\.1'
        }
    }
}
