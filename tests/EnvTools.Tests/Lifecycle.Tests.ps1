# New-Env, Install-, Update-, Uninstall-EnvPackage end to end: real packages built by the tests (and real ones
# from conda's test data when ../shared/data is there), local and loopback-HTTP channels, real linking.
BeforeAll {
    $modulePath = $env:ENVTOOLS_MODULE
    if (-not $modulePath) { $modulePath = Join-Path $PSScriptRoot '../../out/EnvTools/EnvTools.psd1' }
    Import-Module $modulePath -Force
    Import-Module (Join-Path $PSScriptRoot 'TestChannel.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TestPackages.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TestData.psm1') -Force

    $script:saved = Use-IsolatedConda -Root (Join-Path $TestDrive 'conda')
    $script:placeholder = Get-TestPlaceholder
    $script:chan = Join-Path $TestDrive 'channel'
    New-TestPackage -Channel $chan -Name libdemo -Version 1.0 -Files @{
        'share/libdemo/config.txt' = "prefix=$placeholder`nversion=1.0`n"
        'lib/libdemo.txt'          = "libdemo one`n"
    } | Out-Null
    New-TestPackage -Channel $chan -Name libdemo -Version 2.0 -Files @{
        'share/libdemo/config.txt' = "prefix=$placeholder`nversion=2.0`n"
        'lib/libdemo.txt'          = "libdemo two`n"
    } | Out-Null
    New-TestPackage -Channel $chan -Name app -Version 1.0 -Depends 'libdemo' -Files @{
        'bin/app' = "#!/bin/sh`necho app in $placeholder`n"
    } | Out-Null
    New-TestPackage -Channel $chan -Name solo -Version 0.1 -Files @{ 'share/solo.txt' = "solo`n" } | Out-Null
    Update-TestChannelIndex $chan | Out-Null

    function Show($items) { $items | ForEach-Object { "$($_.Action) $($_.Name) $($_.Version)" } }
}

AfterAll {
    Restore-IsolatedConda $saved
}

Describe 'New-Env' {
    It 'creates an environment conda can read: files with the prefix rewritten, conda-meta records, history, environments.txt' {
        $prefix = Join-Path $TestDrive 'envs-a/first'
        $info = New-Env -Prefix $prefix app -Channel $chan
        $info.PSObject.TypeNames[0] | Should -Be 'EnvTools.EnvironmentInfo'
        $info.Prefix | Should -Be $prefix
        $info.PackageCount | Should -Be 2

        Get-Content (Join-Path $prefix 'share/libdemo/config.txt') -Raw | Should -Be "prefix=$(Get-TextPrefix $prefix)`nversion=2.0`n"
        Get-Content (Join-Path $prefix 'bin/app') -Raw | Should -Be "#!/bin/sh`necho app in $(Get-TextPrefix $prefix)`n"
        if (-not $IsWindows) { (Get-Item (Join-Path $prefix 'bin/app')).UnixFileMode.ToString() | Should -Match 'UserExecute' }

        $record = Get-Content (Join-Path $prefix 'conda-meta/app-1.0-0.json') -Raw | ConvertFrom-Json
        $record.requested_spec | Should -Be 'app'
        $record.files | Should -Be @('bin/app')
        $record.paths_data.paths[0].prefix_placeholder | Should -Be $placeholder
        $record.url | Should -BeLike 'file://*app-1.0-0.conda'
        (Get-Content (Join-Path $prefix 'conda-meta/history') -Raw) | Should -Match '(?m)^\+.*::app-1\.0-0$'
        (Get-Content (Join-Path $prefix 'conda-meta/history') -Raw) | Should -Match "(?m)^# update specs: \['app'\]$"
        Get-Content (Join-Path $env:HOME '.conda/environments.txt') | Should -Contain $prefix
        Test-Env -Prefix $prefix | Should -BeNullOrEmpty
    }

    It 'records in history the cmdlet and its bound parameters, not the rest of the input line' {
        # other statements on the line (here a secret) never reach conda-meta/history
        $prefix = Join-Path $TestDrive 'envs-a/hist'; $env:MY_API_KEY = 'sk-secret-123'; New-Env -Prefix $prefix solo 'libdemo<2' -Channel $chan -WarningAction SilentlyContinue | Out-Null; Test-Env -Prefix $prefix -Quiet | Out-Null
        Remove-Item env:MY_API_KEY
        $cmd = (Get-Content (Join-Path $prefix 'conda-meta/history') | Where-Object { $_ -like '# cmd:*' }) -join "`n"
        $cmd | Should -Not -Match 'sk-secret|MY_API_KEY|Test-Env|WarningAction'
        # a value that is not a plain word (a Windows path's backslashes) is single-quoted, as PowerShell reads it back
        $q = { param($v) if ($v -match '^[\w./:=*+!~-]+$') { $v } else { "'$v'" } }
        $cmd | Should -Be "# cmd: New-Env -Prefix $(& $q $prefix) -Channel $(& $q $chan) -Spec solo, 'libdemo<2'"
    }

    It 'creates an empty environment without any channel, offline' {
        # no spec, no channel to read: the configured defaults are never contacted (micromamba and pixi do the same)
        $prefix = Join-Path $TestDrive 'envs-a/empty-offline'
        $env:CONDA_OFFLINE = 'true'
        try { $info = New-Env -Prefix $prefix -ErrorAction Stop }
        finally { Remove-Item env:CONDA_OFFLINE }
        $info.PackageCount | Should -Be 0
        Test-Path (Join-Path $prefix 'conda-meta/history') | Should -BeTrue
        Get-Content (Join-Path $env:HOME '.conda/environments.txt') | Should -Contain $prefix
    }

    It 'refuses conda''s reserved names (base, root), by name or as the last folder of a prefix' {
        New-Env base solo -Channel $chan -ErrorVariable err1 -ErrorAction SilentlyContinue | Out-Null
        $err1[0].FullyQualifiedErrorId | Should -BeLike 'ReservedEnvironmentName,*'
        New-Env -Prefix (Join-Path $TestDrive 'x/root') solo -Channel $chan -ErrorVariable err2 -ErrorAction SilentlyContinue | Out-Null
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'ReservedEnvironmentName,*'
        Test-Path (Join-Path $env:CONDA_ENVS_DIRS 'base') | Should -BeFalse
        Test-Path (Join-Path $TestDrive 'x/root') | Should -BeFalse
    }

    It 'refuses packages beside -Clone instead of dropping them' {
        $source = Join-Path $TestDrive 'envs-a/clone-src'
        New-Env -Prefix $source solo -Channel $chan | Out-Null
        $target = Join-Path $TestDrive 'envs-a/clone-dst'
        New-Env -Prefix $target app -Clone $source -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'CloneWithSpecs,*'
        Test-Path $target | Should -BeFalse
    }

    It 'checks that the active environment cannot be removed before asking, also under -WhatIf' {
        $prefix = Join-Path $TestDrive 'envs-a/active'
        New-Env -Prefix $prefix solo -Channel $chan | Out-Null
        $env:CONDA_PREFIX = $prefix
        try {
            Remove-Env -Prefix $prefix -WhatIf -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'EnvironmentActive,*'
            Remove-Env -Prefix $prefix -Confirm:$true -ErrorVariable err2 -ErrorAction SilentlyContinue # fails before it would prompt
            $err2[0].FullyQualifiedErrorId | Should -BeLike 'EnvironmentActive,*'
        }
        finally { Remove-Item env:CONDA_PREFIX }
        Test-Path (Join-Path $prefix 'conda-meta') | Should -BeTrue
    }

    It 'puts a named environment in the first envs dir, and refuses to overwrite it without -Force' {
        $info = New-Env demo-named solo -Channel $chan
        $info.Name | Should -Be 'demo-named'
        $info.Prefix | Should -Be (Join-Path $env:CONDA_ENVS_DIRS 'demo-named')
        New-Env demo-named solo -Channel $chan -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'EnvironmentExists,*'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        (New-Env demo-named app -Channel $chan -Force).PackageCount | Should -Be 2
        Test-Path (Join-Path $info.Prefix 'share/solo.txt') | Should -BeFalse
    }

    It '-DryRun returns the planned changes and creates nothing' {
        $prefix = Join-Path $TestDrive 'envs-a/dry'
        $changes = New-Env -Prefix $prefix app -Channel $chan -DryRun
        Show $changes | Should -Be @('Install libdemo 2.0', 'Install app 1.0')
        $changes[0].PSObject.TypeNames[0] | Should -Be 'EnvTools.PackageChange'
        Test-Path $prefix | Should -BeFalse
    }

    It 'creates an empty environment when no spec is given' {
        $prefix = Join-Path $TestDrive 'envs-a/empty'
        (New-Env -Prefix $prefix -Channel $chan).PackageCount | Should -Be 0
        Test-Path (Join-Path $prefix 'conda-meta/history') | Should -BeTrue
    }

    It 'reports unknown packages as PackagesNotFound and leaves no folder behind' {
        $prefix = Join-Path $TestDrive 'envs-a/missing'
        New-Env -Prefix $prefix does-not-exist -Channel $chan -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PackagesNotFound,*'
        Test-Path $prefix | Should -BeFalse
    }

    It 'clones an environment exactly, without a solve' {
        $source = Join-Path $TestDrive 'envs-a/first'
        $clone = Join-Path $TestDrive 'envs-a/clone'
        New-Env -Prefix $clone -Clone $source | Out-Null
        (Get-EnvPackage -Prefix $clone | ForEach-Object { "$($_.Name)=$($_.Version)=$($_.Build)" }) |
            Should -Be (Get-EnvPackage -Prefix $source | ForEach-Object { "$($_.Name)=$($_.Version)=$($_.Build)" })
        Get-Content (Join-Path $clone 'share/libdemo/config.txt') -Raw | Should -Be "prefix=$(Get-TextPrefix $clone)`nversion=2.0`n"
    }
}

Describe 'Install-, Update-, Uninstall-EnvPackage' {
    BeforeAll {
        $script:prefix = Join-Path $TestDrive 'envs-b/work'
        New-Env -Prefix $prefix app -Channel $chan | Out-Null
    }

    It 'installs a downgrade as a PackageChange and rewrites the files' {
        $changes = Install-EnvPackage 'libdemo=1.0' -Prefix $prefix -Channel $chan
        Show $changes | Should -Be @('Downgrade libdemo 1.0')
        $changes[0].OldVersion | Should -Be '2.0'
        Get-Content (Join-Path $prefix 'share/libdemo/config.txt') -Raw | Should -Be "prefix=$(Get-TextPrefix $prefix)`nversion=1.0`n"
        Test-Path (Join-Path $prefix 'conda-meta/libdemo-2.0-0.json') | Should -BeFalse
        Test-Env -Prefix $prefix | Should -BeNullOrEmpty
    }

    It 'does nothing when the request is already satisfied' {
        Install-EnvPackage app -Prefix $prefix -Channel $chan | Should -BeNullOrEmpty
    }

    It 'updates a named package past its history spec' {
        $changes = Update-EnvPackage libdemo -Prefix $prefix -Channel $chan
        Show $changes | Should -Be @('Update libdemo 2.0')
        Get-Content (Join-Path $prefix 'lib/libdemo.txt') -Raw | Should -Be "libdemo two`n"
    }

    It 'refuses to update a package that is not installed' {
        Update-EnvPackage solo -Prefix $prefix -Channel $chan -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PackageNotInstalled,*'
    }

    It 'binds the environment from Get-Env output in the pipeline' {
        $changes = Get-Env -Name * | Where-Object Prefix -eq $prefix | Install-EnvPackage solo -Channel $chan
        Show $changes | Should -Be @('Install solo 0.1')
    }

    It '-WhatIf and -DryRun change nothing' {
        $before = Get-TreeDigest $prefix
        Uninstall-EnvPackage solo -Prefix $prefix -WhatIf | Should -BeNullOrEmpty
        Show (Uninstall-EnvPackage solo -Prefix $prefix -DryRun) | Should -Be @('Remove solo ')
        Get-TreeDigest $prefix | Should -Be $before
    }

    It 'relinks an installed package with -Force (Reinstall), repairing a damaged file' {
        Set-Content (Join-Path $prefix 'share/solo.txt') 'damaged'
        (Test-Env -Prefix $prefix).Kind | Should -Be 'SizeMismatch'
        Show (Install-EnvPackage solo -Prefix $prefix -Channel $chan -Force) | Should -Be @('Reinstall solo 0.1')
        Test-Env -Prefix $prefix | Should -BeNullOrEmpty
    }

    It 'completes installed package names for Uninstall-EnvPackage and cached ones for Install-EnvPackage' {
        $line = "Uninstall-EnvPackage -Prefix '$prefix' lib"
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('libdemo')
        $line = 'Install-EnvPackage so'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain 'solo'
    }

    It 'names the close installed packages when asked to remove one that is not installed' {
        Uninstall-EnvPackage libdemoo -Prefix $prefix -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PackageNotInstalled,*'
        $err[0].Exception.Message | Should -Match 'Did you mean libdemo\?'
        $err[0].Exception.Suggestions | Should -Be @('libdemo')
    }

    It 'removes a package and what depends on it, offline, leaving no file behind' {
        $changes = Uninstall-EnvPackage libdemo -Prefix $prefix
        (Show $changes | Sort-Object) | Should -Be @('Remove app ', 'Remove libdemo ')
        Test-Path (Join-Path $prefix 'bin/app') | Should -BeFalse
        Test-Path (Join-Path $prefix 'share/libdemo') | Should -BeFalse
        (Get-EnvPackage -Prefix $prefix).Name | Should -Be 'solo'
        (Get-Content (Join-Path $prefix 'conda-meta/history') -Raw) | Should -Match "(?m)^# remove specs: \['libdemo'\]$"
    }
}

Describe 'Update-EnvPackage -All' {
    It 'moves every package to the newest version the history allows' {
        $prefix = Join-Path $TestDrive 'envs-u/all'
        New-Env -Prefix $prefix 'libdemo=1.0' solo -Channel $chan | Out-Null
        # the history pins libdemo=1.0: -All relaxes history specs to their names, as conda's update --all does
        Show (Update-EnvPackage -All -Prefix $prefix -Channel $chan) | Should -Be @('Update libdemo 2.0')
        Update-EnvPackage -Prefix $prefix -Channel $chan -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NoPackagesToUpdate,*'
    }
}

Describe 'Installing over HTTP from the loopback server' {
    BeforeAll {
        $served = Join-Path $TestDrive 'served'
        New-Item -ItemType Directory $served | Out-Null
        Copy-Item -Recurse $chan (Join-Path $served 'chan')
        $script:server = Start-TestChannelServer -Path $served
    }
    AfterAll { if ($server) { $server | Stop-TestChannelServer } }

    It 'downloads, verifies, caches and links; a second environment reuses the cache' {
        $p1 = Join-Path $TestDrive 'envs-c/one'
        (New-Env -Prefix $p1 app -Channel "$($server.Url)/chan").PackageCount | Should -Be 2
        $record = Get-Content (Join-Path $p1 'conda-meta/app-1.0-0.json') -Raw | ConvertFrom-Json
        $record.url | Should -Be "$($server.Url)/chan/$([EnvTools.Conda.Platform]::Current.Name)/app-1.0-0.conda"
        Test-Path (Join-Path $env:CONDA_PKGS_DIRS 'app-1.0-0/info/repodata_record.json') | Should -BeTrue
        Get-Content (Join-Path $p1 'bin/app') -Raw | Should -Be "#!/bin/sh`necho app in $(Get-TextPrefix $p1)`n"

        $p2 = Join-Path $TestDrive 'envs-c/two'
        New-Env -Prefix $p2 app -Channel "$($server.Url)/chan" -Offline | Out-Null
        (Get-EnvPackage -Prefix $p2).Count | Should -Be 2
    }
}

Describe 'A channel that needs a token' {
    BeforeAll {
        $served = Join-Path $TestDrive 'served-token'
        New-Item -ItemType Directory $served | Out-Null
        Copy-Item -Recurse $chan (Join-Path $served 'private')
        $script:tokenServer = Start-TestChannelServer -Path $served -Token 'tk-5ecret'
    }
    AfterAll { if ($tokenServer) { $tokenServer | Stop-TestChannelServer } }

    It 'sends the token with repodata and package downloads, and writes it nowhere in the environment' {
        $prefix = Join-Path $TestDrive 'envs-t/private'
        (New-Env -Prefix $prefix app -Channel "$($tokenServer.Url)/t/tk-5ecret/private").PackageCount | Should -Be 2
        Get-ChildItem -Recurse -File $prefix | Select-String -SimpleMatch 'tk-5ecret' | Should -BeNullOrEmpty
        Get-ChildItem -Recurse -File (Join-Path $env:CONDA_PKGS_DIRS 'app-1.0-0') | Select-String -SimpleMatch 'tk-5ecret' | Should -BeNullOrEmpty
    }

    It 'fails with a clear error without the token' {
        New-Env -Prefix (Join-Path $TestDrive 'envs-t/denied') app -Channel "$($tokenServer.Url)/private" -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ChannelUnavailable,*'
    }
}

# Unix-only: the program is an ELF binary compiled by gcc and run (Windows packages' binaries are left untouched)
Describe 'Binary prefix replacement in a compiled program' -Tag UnixOnly -Skip:($IsWindows -or (-not (Get-Command gcc -ErrorAction SilentlyContinue) -and $env:CI -ne 'true')) {
    It 'a C program built with a placeholder prefix prints its new prefix after install' {
        $c = Join-Path $TestDrive 'hello.c'
        Set-Content $c "#include <stdio.h>`nstatic const char prefix[] = `"$placeholder/share/hello`";`nint main(void) { puts(prefix); return 0; }`n"
        $exe = Join-Path $TestDrive 'hello'
        & gcc -O0 -o $exe $c
        $LASTEXITCODE | Should -Be 0
        $cchan = Join-Path $TestDrive 'cchannel'
        New-TestPackage -Channel $cchan -Name hello -Version 1.0 -Files @{ 'bin/hello' = [IO.File]::ReadAllBytes($exe) } | Out-Null
        Update-TestChannelIndex $cchan | Out-Null

        $prefix = Join-Path $TestDrive 'e/h'
        New-Env -Prefix $prefix hello -Channel $cchan | Out-Null
        $record = Get-Content (Join-Path $prefix 'conda-meta/hello-1.0-0.json') -Raw | ConvertFrom-Json
        $record.paths_data.paths[0].file_mode | Should -Be 'binary'
        & chmod +x (Join-Path $prefix 'bin/hello')
        & (Join-Path $prefix 'bin/hello') | Should -Be "$prefix/share/hello"
        Test-Env -Prefix $prefix | Should -BeNullOrEmpty
    }
}

Describe 'Real packages from conda''s test data' {
    BeforeAll {
        $script:zlibRel = 'packages/conda-tests/conda_format_repo/linux-64'
        $script:zlibDir = Get-ConformanceDataPath $zlibRel
    }

    It 'installs the real zlib (<format>) and rewrites lib/pkgconfig/zlib.pc' -TestCases @(@{ format = 'conda' }, @{ format = 'tar.bz2' }) {
        if (-not (Test-ConformanceData $zlibRel)) { Set-ItResult -Skipped -Because (Get-ConformanceDataMessage $zlibRel); return }
        $zchan = Join-Path $TestDrive "zlib-$format"
        New-Item -ItemType Directory (Join-Path $zchan 'linux-64') -Force | Out-Null
        Copy-Item (Join-Path $zlibDir "zlib-1.2.11-h7b6447c_3.$format") (Join-Path $zchan 'linux-64')
        # zlib depends on libgcc-ng >=7.3.0, which the test data lacks: a stand-in the test builds
        New-TestPackage -Channel $zchan -Name libgcc-ng -Version 11.2.0 -Subdir linux-64 -Files @{ 'share/libgcc-ng.txt' = "stand-in`n" } | Out-Null
        Update-TestChannelIndex $zchan | Out-Null
        $prefix = Join-Path $TestDrive "e/zlib-$format"
        # a linux-64 environment on any host (on Windows too: the files are linked, nothing of it runs)
        New-Env -Prefix $prefix zlib -Channel $zchan -Platform linux-64 | Out-Null
        $pc = Get-Content (Join-Path $prefix 'lib/pkgconfig/zlib.pc')
        $pc | Should -Contain "prefix=$prefix"
        # both archives of this zlib store lib/libz.so and lib/libz.so.1 as empty files (paths.json calls them softlinks)
        Test-Path (Join-Path $prefix 'lib/libz.so.1.2.11') | Should -BeTrue
        Test-Env -Prefix $prefix | Should -BeNullOrEmpty
    }
}

Describe 'A killed install leaves the environment consistent' {
    It 'killed after <after> linked file(s): the next command rolls back to the old state' -TestCases @(@{ after = 1 }, @{ after = 3 }) {
        $prefix = Join-Path $TestDrive "e/kill-$after"
        New-Env -Prefix $prefix app -Channel $chan | Out-Null
        $before = Get-TreeDigest $prefix -Exclude 'conda-meta/history'
        $pwsh = (Get-Process -Id $PID).Path
        $script = "Import-Module '$modulePath'; Install-EnvPackage 'libdemo=1.0' solo -Prefix '$prefix' -Channel '$chan'"
        $env:ENVTOOLS_TEST_CRASH_AFTER_FILES = "$after"
        try { & $pwsh -NoProfile -NonInteractive -Command $script 2>&1 | Out-Null } finally { Remove-Item env:ENVTOOLS_TEST_CRASH_AFTER_FILES }
        $LASTEXITCODE | Should -Not -Be 0

        # the next command (a dry run) finds the journal and rolls the interrupted transaction back
        Install-EnvPackage solo -Prefix $prefix -Channel $chan -DryRun | Out-Null
        Get-TreeDigest $prefix -Exclude 'conda-meta/history' | Should -Be $before
        Test-Env -Prefix $prefix | Should -BeNullOrEmpty
        (Get-EnvPackage -Prefix $prefix | ForEach-Object { "$($_.Name)=$($_.Version)" }) | Sort-Object | Should -Be @('app=1.0', 'libdemo=2.0')
    }
}
