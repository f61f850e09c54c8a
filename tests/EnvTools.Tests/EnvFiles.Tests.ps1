# Export-Env, New-Env -File, Update-Env -File and pip interop end to end: packages built by the tests, local and
# loopback-HTTP channels, round trips export → New-Env -File → the same packages, and pip for real (an environment whose
# python is the machine's python3, packaged from a venv; a wheel built by the test; no network).
BeforeAll {
    $modulePath = $env:ENVTOOLS_MODULE
    if (-not $modulePath) { $modulePath = Join-Path $PSScriptRoot '../../out/EnvTools/EnvTools.psd1' }
    Import-Module $modulePath -Force
    Import-Module (Join-Path $PSScriptRoot 'TestChannel.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TestPackages.psm1') -Force

    $script:saved = Use-IsolatedConda -Root (Join-Path $TestDrive 'conda')
    $script:placeholder = Get-TestPlaceholder
    $script:subdir = [EnvTools.Conda.Platform]::Current.Name
    $script:chan = Join-Path $TestDrive 'channel'
    foreach ($v in '1.0', '2.0') {
        New-TestPackage -Channel $chan -Name libdemo -Version $v -Build "h1_$($v[0])" -Files @{ 'share/libdemo/config.txt' = "prefix=$placeholder`nversion=$v`n" } | Out-Null
    }
    New-TestPackage -Channel $chan -Name app -Version 1.0 -Depends 'libdemo' -Files @{ 'bin/app' = "#!/bin/sh`necho app in $placeholder`n" } | Out-Null
    New-TestPackage -Channel $chan -Name tool -Version 0.5 -Noarch generic -Files @{ 'share/tool.txt' = "tool`n" } | Out-Null
    # A package for another platform, so that Lock can solve a second platform.
    $other = if ($subdir -eq 'linux-64') { 'osx-arm64' } else { 'linux-64' }
    $script:otherPlatform = $other
    New-TestPackage -Channel $chan -Name libdemo -Version 2.0 -Build 'h9_2' -Subdir $other -Files @{ 'share/libdemo/config.txt' = "other`n" } | Out-Null
    New-TestPackage -Channel $chan -Name app -Version 1.0 -Subdir $other -Depends 'libdemo', '__unix' -Files @{ 'share/app.txt' = "app`n" } | Out-Null
    Update-TestChannelIndex $chan | Out-Null

    function PackageSet([string] $Prefix) { Get-EnvPackage -Prefix $Prefix | Where-Object Source -eq 'Conda' | ForEach-Object { "$($_.Name)=$($_.Version)=$($_.Build)" } | Sort-Object }
}

AfterAll {
    Restore-IsolatedConda $saved
}

Describe 'Export-Env' {
    BeforeAll {
        $script:src = Join-Path $TestDrive 'envs/source'
        New-Env -Prefix $src 'app' 'libdemo>=1,<3' -Channel $chan | Out-Null
        Install-EnvPackage tool -Prefix $src -Channel $chan | Out-Null
        Set-EnvVariable @{ DEMO_MODE = 'on' } -Prefix $src
    }

    It 'writes environment.yml: name, channel, every package as name=version=build, variables, prefix' {
        $text = Export-Env -Prefix $src
        $text | Should -BeOfType [string]
        $text | Should -Match '(?m)^name: source$'
        $text | Should -Match "(?m)^channels:\n  - file:///"
        $text | Should -Match '(?m)^  - app=1\.0=0$'
        $text | Should -Match '(?m)^  - libdemo=2\.0=h1_2$'
        $text | Should -Match '(?m)^  - tool=0\.5=0$'
        $text | Should -Match "(?m)^variables:\n  DEMO_MODE: 'on'$"  # quoted: YAML would read a bare on as true
        $text | Should -Match "(?m)^prefix: $([regex]::Escape($src))$"
    }

    It '-NoBuilds writes name=version; -FromHistory the requested specs with their constraints' {
        Export-Env -Prefix $src -NoBuilds | Should -Match '(?m)^  - libdemo=2\.0$'
        $h = Export-Env -Prefix $src -FromHistory
        $h | Should -Match '(?m)^  - app$'
        $h | Should -Match "(?m)^  - 'libdemo\[version=''>=1,<3''\]'$"
        $h | Should -Match '(?m)^  - tool$'
        $h | Should -Not -Match 'h1_2'
    }

    It '-Path writes the file and returns nothing, as Export-Csv (-PassThru, -NoClobber, -Force, -WhatIf)' {
        $path = Join-Path $TestDrive 'quiet.yml'
        Export-Env -Prefix $src -Path $path | Should -BeNullOrEmpty
        Get-Content $path -Raw | Should -Match 'libdemo'
        (Export-Env -Prefix $src -Path $path -PassThru).FullName | Should -Be $path

        Set-Content $path 'keep me'
        Export-Env -Prefix $src -Path $path -NoClobber -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FileExists,*'
        Get-Content $path -Raw | Should -Match 'keep me'

        Export-Env -Prefix $src -Path $path -WhatIf
        Get-Content $path -Raw | Should -Match 'keep me'

        if (-not $IsWindows) {
            Set-ItemProperty $path -Name IsReadOnly -Value $true
            Export-Env -Prefix $src -Path $path -Force
            Get-Content $path -Raw | Should -Match 'libdemo'
        }
    }

    It '-Format Json returns the same as an object tree, and writes JSON with -Path' {
        $tree = Export-Env -Prefix $src -Format Json
        $tree.name | Should -Be 'source'
        $tree.dependencies | Should -Contain 'app=1.0=0'
        $tree.variables.DEMO_MODE | Should -Be 'on'
        $file = Export-Env -Prefix $src -Format Json -Path (Join-Path $TestDrive 'env.json') -PassThru
        $file | Should -BeOfType [System.IO.FileInfo]
        (Get-Content $file -Raw | ConvertFrom-Json).dependencies | Should -Contain 'tool=0.5=0'
    }

    It '-Format Explicit lists one URL with #sha256 per package in install order' {
        $lines = (Export-Env -Prefix $src -Format Explicit) -split "`n" | Where-Object { $_ }
        $lines | Should -Contain '@EXPLICIT'
        $lines | Should -Contain "# platform: $subdir"
        $urls = $lines | Where-Object { $_ -like 'file://*' }
        $urls.Count | Should -Be 3
        $urls | ForEach-Object { $_ | Should -Match '#sha256:[0-9a-f]{64}$' }
        [array]::IndexOf(@($urls), ($urls | Where-Object { $_ -like '*libdemo-2.0*' })) | Should -BeLessThan ([array]::IndexOf(@($urls), ($urls | Where-Object { $_ -like '*/app-1.0*' })))
    }

    It '-Format Lock locks this platform exactly and solves another with its own virtual packages' {
        $path = Join-Path $TestDrive 'conda-lock.yml'
        Export-Env -Prefix $src -Format Lock -Platform $subdir, $otherPlatform -Path $path | Out-Null
        $lock = [EnvTools.Environments.CondaLockFile]::Load($path)
        $lock.Platforms | Should -Be @($subdir, $otherPlatform)
        ($lock.RecordsFor($subdir) | ForEach-Object { "$($_.Name)=$($_.Version)=$($_.Build)" } | Sort-Object) | Should -Be (PackageSet $src)
        ($lock.RecordsFor($otherPlatform) | ForEach-Object { "$($_.Name)=$($_.Version)=$($_.Build)" } | Sort-Object) | Should -Be @('app=1.0=0', 'libdemo=2.0=h9_2', 'tool=0.5=0')
        ($lock.RecordsFor($otherPlatform) | Where-Object Name -eq app).Depends | Should -Contain '__unix'
    }

    It '-Format Lock names the platform that cannot be locked (issue 12 item 10), with the cause''s ErrorId' {
        $bad = if ($subdir -eq 'linux-aarch64' -or $otherPlatform -eq 'linux-aarch64') { 'linux-ppc64le' } else { 'linux-aarch64' }
        New-Item -ItemType Directory (Join-Path $chan $bad) -Force | Out-Null
        Update-TestChannelIndex $chan | Out-Null
        $path = Join-Path $TestDrive 'bad-lock.yml'
        Export-Env -Prefix $src -Format Lock -Platform $subdir, $otherPlatform, $bad -Path $path -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].Exception.Message | Should -Match "^Cannot lock $([regex]::Escape($bad)): "
        $err[0].Exception.Platform | Should -Be $bad
        $err[0].FullyQualifiedErrorId | Should -Match '^(PackagesNotFound|Unsatisfiable),'
        $err[0].FullyQualifiedErrorId | Should -Be "$($err[0].Exception.InnerException.ErrorId),EnvTools.Commands.ExportEnvCommand"
        Test-Path $path | Should -BeFalse
    }

    It '-Platform without -Format Lock is an error' {
        Export-Env -Prefix $src -Platform win-64 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PlatformNeedsLock,*'
    }
}

Describe 'Round trips: Export-Env → New-Env -File' {
    BeforeAll {
        $script:src2 = Join-Path $TestDrive 'envs/rt-source'
        New-Env -Prefix $src2 app 'libdemo=1.0' tool -Channel $chan | Out-Null
    }

    It 'Explicit: the identical package set, installed without a solve, with full records' {
        $file = Export-Env -Prefix $src2 -Format Explicit -Path (Join-Path $TestDrive 'explicit.txt') -PassThru
        $dest = Join-Path $TestDrive 'envs/rt-explicit'
        $info = New-Env -Prefix $dest -File $file -Verbose 4>&1 | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }
        $info.PackageCount | Should -Be 3
        PackageSet $dest | Should -Be (PackageSet $src2)
        $record = Get-Content (Join-Path $dest 'conda-meta/app-1.0-0.json') -Raw | ConvertFrom-Json
        $record.depends | Should -Be @('libdemo')
        $record.sha256 | Should -Match '^[0-9a-f]{64}$'
        Get-Content (Join-Path $dest 'share/libdemo/config.txt') -Raw | Should -Be "prefix=$(Get-TextPrefix $dest)`nversion=1.0`n"
        Test-Env -Prefix $dest | Should -BeNullOrEmpty
    }

    It 'Lock: the identical package set' {
        $file = Export-Env -Prefix $src2 -Format Lock -Path (Join-Path $TestDrive 'rt-lock.yml') -PassThru
        $dest = Join-Path $TestDrive 'envs/rt-lock'
        (New-Env -Prefix $dest -File $file).PackageCount | Should -Be 3
        PackageSet $dest | Should -Be (PackageSet $src2)
    }

    It 'Yaml -NoBuilds: the same versions' {
        $file = Export-Env -Prefix $src2 -NoBuilds -Path (Join-Path $TestDrive 'rt-nobuilds.yml') -PassThru
        $dest = Join-Path $TestDrive 'envs/rt-nobuilds'
        New-Env -Prefix $dest -File $file | Out-Null
        (Get-EnvPackage -Prefix $dest | ForEach-Object { "$($_.Name)=$($_.Version)" }) | Should -Be (Get-EnvPackage -Prefix $src2 | ForEach-Object { "$($_.Name)=$($_.Version)" })
    }

    It 'Yaml -FromHistory: the same requested specs; the file''s name names the environment' {
        $file = Export-Env -Prefix $src2 -FromHistory -Path (Join-Path $TestDrive 'rt-history.yml') -PassThru
        (Get-Content $file -Raw) -replace '(?m)^name: .*$', 'name: from-history' -replace '(?m)^prefix: .*\n', '' | Set-Content $file -NoNewline
        $info = New-Env -File $file
        $info.Name | Should -Be 'from-history'
        $info.Prefix | Should -Be (Join-Path $env:CONDA_ENVS_DIRS 'from-history')
        $specs = { param($p) Get-EnvPackage -Prefix $p | Where-Object RequestedSpec | ForEach-Object { "$($_.Name): $($_.RequestedSpec)" } }
        & $specs $info.Prefix | Should -Be (& $specs $src2)
        PackageSet $info.Prefix | Should -Be (PackageSet $src2)
    }

    It 'an explicit file for another platform is refused' {
        $file = Join-Path $TestDrive 'other.txt'
        (Get-Content (Join-Path $TestDrive 'explicit.txt') -Raw) -replace "# platform: $subdir", "# platform: $otherPlatform" | Set-Content $file
        New-Env -Prefix (Join-Path $TestDrive 'envs/other') -File $file -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidEnvironmentFile,*'
        $err[0].Exception.Message | Should -Match "is for $otherPlatform"
    }
}

Describe 'From the loopback HTTP server' {
    BeforeAll {
        $served = Join-Path $TestDrive 'served'
        New-Item -ItemType Directory $served | Out-Null
        Copy-Item -Recurse $chan (Join-Path $served 'chan')
        $script:server = Start-TestChannelServer -Path $served -Token 'tk-5ecret'
        $script:url = "$($server.Url)/t/tk-5ecret/chan"
        $script:src3 = Join-Path $TestDrive 'envs/http-source'
        New-Env -Prefix $src3 app -Channel $url | Out-Null
    }
    AfterAll { if ($server) { $server | Stop-TestChannelServer } }

    It 'exports without the token, and an explicit file re-creates the environment by URL' {
        foreach ($format in 'Yaml', 'Explicit', 'Lock') {
            Export-Env -Prefix $src3 -Format $format | Should -Not -Match 'tk-5ecret'
        }
        $explicit = Export-Env -Prefix $src3 -Format Explicit
        $explicit | Should -Match ([regex]::Escape("$($server.Url)/chan/$subdir/app-1.0-0.conda#sha256:"))
        # The file is exported without the token; the token comes back where the user keeps it (a CI secret).
        $file = Join-Path $TestDrive 'http-explicit.txt'
        $explicit -replace [regex]::Escape("$($server.Url)/chan/"), "$url/" | Set-Content $file
        Remove-Item -Recurse -Force (Join-Path $env:CONDA_PKGS_DIRS '*')
        $dest = Join-Path $TestDrive 'envs/http-explicit'
        (New-Env -Prefix $dest -File $file).PackageCount | Should -Be 2
        PackageSet $dest | Should -Be (PackageSet $src3)
        Get-ChildItem -Recurse -File $dest | Select-String -SimpleMatch 'tk-5ecret' | Should -BeNullOrEmpty
    }

    It 'environment.yml with ${VAR} in its channels' {
        $file = Join-Path $TestDrive 'http-env.yml'
        "name: http-yml`nchannels:`n  - $($server.Url)/t/`${CHAN_TOKEN}/chan`ndependencies:`n  - app`n" | Set-Content $file
        $env:CHAN_TOKEN = 'tk-5ecret'
        try { (New-Env -File $file).PackageCount | Should -Be 2 } finally { Remove-Item env:CHAN_TOKEN }
    }
}

Describe 'Bad files' {
    It 'an unknown key is an error naming the file, line and key' {
        $file = Join-Path $TestDrive 'bad.yml'
        "name: x`nchanels:`n  - a`n" | Set-Content $file
        New-Env -File $file -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidEnvironmentFile,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].Exception.Message | Should -BeLike "*bad.yml:2: 'chanels': is not a valid key (did you mean 'channels'?)*"
    }

    It 'a dependency that is not a MatchSpec names its entry' {
        $file = Join-Path $TestDrive 'bad-dep.yml'
        "name: x`ndependencies:`n  - app`n  - 'app >=>1'`n" | Set-Content $file
        New-Env -File $file -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].Exception.Message | Should -BeLike "*bad-dep.yml:4: 'dependencies``[1``]': 'app >=>1' is not a valid MatchSpec*"
    }

    It 'an explicit file names no environment' {
        $file = Join-Path $TestDrive 'noname.txt'
        "@EXPLICIT`nfile:///nowhere/$subdir/app-1.0-0.conda`n" | Set-Content $file
        New-Env -File $file -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'EnvironmentNameMissing,*'
    }
}

Describe 'Update-Env -File' {
    BeforeAll {
        $script:rtSource = Join-Path $TestDrive 'envs/upd-source'
        New-Env -Prefix $rtSource app 'libdemo=1.0' tool -Channel $chan | Out-Null
        $script:explicitFile = Export-Env -Prefix $rtSource -Format Explicit -Path (Join-Path $TestDrive 'upd-explicit.txt') -PassThru
    }

    It 'adds what the file asks for, and -Prune drops what it no longer needs' {
        $prefix = Join-Path $TestDrive 'envs/upd'
        New-Env -Prefix $prefix tool -Channel $chan | Out-Null
        $file = Join-Path $TestDrive 'upd.yml'
        "channels:`n  - $chan`ndependencies:`n  - app`nvariables:`n  STAGE: two`n" | Set-Content $file
        $changes = Update-Env -Prefix $prefix -File $file
        ($changes.Name | Sort-Object) | Should -Be @('app', 'libdemo')
        (Get-EnvPackage -Prefix $prefix).Name | Should -Contain 'tool'
        (Get-Content (Join-Path $prefix 'conda-meta/state') -Raw | ConvertFrom-Json).env_vars.STAGE | Should -Be 'two'
        $pruned = Update-Env -Prefix $prefix -File $file -Prune
        ($pruned | Where-Object Action -eq 'Remove').Name | Should -Be 'tool'
        (Get-EnvPackage -Prefix $prefix).Name | Should -Be @('app', 'libdemo')
    }

    It 'brings an environment to an explicit file exactly with -Prune' {
        $prefix = Join-Path $TestDrive 'envs/upd-explicit'
        New-Env -Prefix $prefix tool 'libdemo=2.0' -Channel $chan | Out-Null
        Update-Env -Prefix $prefix -File $explicitFile | Out-Null
        (Get-EnvPackage -Prefix $prefix | ForEach-Object { "$($_.Name)=$($_.Version)" }) | Should -Be @('app=1.0', 'libdemo=1.0', 'tool=0.5')

        $extra = Join-Path $TestDrive 'envs/upd-explicit2'
        New-Env -Prefix $extra 'libdemo=2.0' -Channel $chan | Out-Null
        New-TestPackage -Channel $chan -Name stray -Version 1.0 -Files @{ 'share/stray.txt' = "stray`n" } | Out-Null
        Update-TestChannelIndex $chan | Out-Null
        Install-EnvPackage -Prefix $extra -Channel $chan stray | Out-Null
        Update-Env -Prefix $extra -File $explicitFile | Out-Null
        (Get-EnvPackage -Prefix $extra).Name | Should -Contain 'stray'
        Update-Env -Prefix $extra -File $explicitFile -Prune | Out-Null
        PackageSet $extra | Should -Be (PackageSet $rtSource)
    }
}

Describe 'pip interop with the machine''s python3' {
    BeforeAll {
        $script:python3 = (Get-Command python3 -ErrorAction SilentlyContinue).Source
        $script:pipSkip = $null
        if ($IsWindows) { $script:pipSkip = 'the venv-as-conda-package fixture is built for Unix layouts' }
        elseif (-not $python3) { $script:pipSkip = 'python3 is not on PATH' }
        else {
            $venv = Join-Path $TestDrive 'venv'
            & $python3 -m venv --copies $venv 2>&1 | Out-Null
            if ($LASTEXITCODE -ne 0 -or -not (Test-Path (Join-Path $venv 'bin/python'))) { $script:pipSkip = 'python3 -m venv --copies failed (venv/ensurepip unavailable)' }
        }
        if ($pipSkip) { Write-Warning "pip tests skipped: $pipSkip"; return }

        # python as a conda package: the venv's tree (its bin/python a copy of python3, pyvenv.cfg pointing at python3's
        # home, pip in lib/pythonX.Y/site-packages); the venv's path is the package's placeholder, so pip's scripts get
        # the environment's prefix on install.
        $version = (& "$venv/bin/python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])').Trim()
        $script:pyMinor = ($version -split '\.')[0..1] -join '.'
        $script:pychan = Join-Path $TestDrive 'pychannel'
        Remove-Item -Recurse -Force (Join-Path $venv 'lib64') -ErrorAction SilentlyContinue
        # Compiled bytecode embeds the venv's path in binary form; python rebuilds it.
        Get-ChildItem -Recurse -Directory -Force $venv -Filter __pycache__ | Remove-Item -Recurse -Force
        $def = [EnvTools.Packages.PackageDefinition]::new()
        $def.Name = 'python'; $def.Version = $version; $def.Build = 'venv_0'; $def.Subdir = $subdir
        $def.PrefixPlaceholder = $venv
        $def.Timestamp = 1700000000000
        [EnvTools.Packages.PackageBuilder]::Build($venv, $def, (Join-Path $pychan $subdir), [EnvTools.Packages.PackageFormats]::Conda) | Out-Null
        Update-TestChannelIndex $pychan | Out-Null

        # A wheel, written by hand (no build tools, no network): tinytool 1.0 with a module and its dist-info.
        $script:wheels = Join-Path $TestDrive 'wheels'
        New-Item -ItemType Directory $wheels | Out-Null
        function Hash([byte[]] $b) { 'sha256=' + [Convert]::ToBase64String([Security.Cryptography.SHA256]::HashData($b)).TrimEnd('=').Replace('+', '-').Replace('/', '_') }
        $files = [ordered]@{
            'tinytool/__init__.py'               = "VALUE = 42`n"
            'tinytool-1.0.dist-info/METADATA'    = "Metadata-Version: 2.1`nName: tinytool`nVersion: 1.0`n"
            'tinytool-1.0.dist-info/WHEEL'       = "Wheel-Version: 1.0`nGenerator: envtools-tests`nRoot-Is-Purelib: true`nTag: py3-none-any`n"
        }
        $whl = Join-Path $wheels 'tinytool-1.0-py3-none-any.whl'
        $zip = [IO.Compression.ZipFile]::Open($whl, 'Create')
        $record = ''
        foreach ($name in $files.Keys) {
            $bytes = [Text.Encoding]::UTF8.GetBytes($files[$name])
            $entry = $zip.CreateEntry($name); $s = $entry.Open(); $s.Write($bytes, 0, $bytes.Length); $s.Dispose()
            $record += "$name,$(Hash $bytes),$($bytes.Length)`n"
        }
        $record += "tinytool-1.0.dist-info/RECORD,,`n"
        $entry = $zip.CreateEntry('tinytool-1.0.dist-info/RECORD'); $s = $entry.Open(); $b = [Text.Encoding]::UTF8.GetBytes($record); $s.Write($b, 0, $b.Length); $s.Dispose()
        $zip.Dispose()
        $env:PIP_NO_INDEX = $null
    }

    It 'New-Env -File installs the pip: section with the environment''s own pip; Get-EnvPackage and Export-Env see it' {
        if ($pipSkip) { Set-ItResult -Skipped -Because $pipSkip; return }
        $file = Join-Path $TestDrive 'pyenv/environment.yml'
        New-Item -ItemType Directory (Split-Path $file) -Force | Out-Null
        "name: with-pip`nchannels:`n  - $pychan`ndependencies:`n  - python`n  - pip:`n    - --no-index`n    - --find-links ../wheels`n    - tinytool==1.0`n" | Set-Content $file
        $out = New-Env -File $file -Verbose 4>&1
        $verbose = $out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
        $verbose | Where-Object { $_ -like 'pip: *Successfully installed tinytool-1.0*' } | Should -Not -BeNullOrEmpty
        $prefix = Join-Path $env:CONDA_ENVS_DIRS 'with-pip'
        Test-Path (Join-Path $prefix "lib/python$pyMinor/site-packages/tinytool/__init__.py") | Should -BeTrue
        (& (Join-Path $prefix 'bin/python') -c 'import tinytool; print(tinytool.VALUE)') | Should -Be '42'

        $pkg = Get-EnvPackage tinytool -Prefix $prefix
        $pkg.Source | Should -Be 'Pypi'
        $pkg.Channel | Should -Be 'pypi'
        $pkg.Version | Should -Be '1.0'
        (Get-EnvPackage -Prefix $prefix | Where-Object Source -eq 'Pypi').Name | Should -Be @('tinytool')

        $yml = Export-Env -Prefix $prefix
        $yml | Should -Match "(?m)^  - pip:\n      - tinytool==1\.0$"
        Export-Env -Prefix $prefix -FromHistory | Should -Match "(?m)^  - pip:\n      - tinytool==1\.0$"
    }

    It 'Install-EnvPackage -Pip installs through the environment''s pip' {
        if ($pipSkip) { Set-ItResult -Skipped -Because $pipSkip; return }
        $prefix = Join-Path $TestDrive 'envs/pip-install'
        New-Env -Prefix $prefix python -Channel $pychan | Out-Null
        Install-EnvPackage -Prefix $prefix -Pip '--no-index', "--find-links $wheels", 'tinytool' | Out-Null
        (Get-EnvPackage tinytool -Prefix $prefix).Source | Should -Be 'Pypi'
    }

    It 'a pip failure is PipInstallFailed: the conda part is installed, and pip''s words are in the message' {
        if ($pipSkip) { Set-ItResult -Skipped -Because $pipSkip; return }
        $file = Join-Path $TestDrive 'pyenv/broken.yml'
        "name: broken-pip`nchannels:`n  - $pychan`ndependencies:`n  - python`n  - pip:`n    - --no-index`n    - no-such-dist-anywhere==9.9`n" | Set-Content $file
        New-Env -File $file -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PipInstallFailed,*'
        $err[0].Exception.Message | Should -BeLike '*conda packages are installed*'
        $err[0].Exception.Message | Should -BeLike '*no-such-dist-anywhere*'
        (Get-EnvPackage -Prefix (Join-Path $env:CONDA_ENVS_DIRS 'broken-pip')).Name | Should -Contain 'python'
    }
}
