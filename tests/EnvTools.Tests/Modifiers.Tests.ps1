# Install and remove modifiers with conda's semantics: -FreezeInstalled, -UpdateDependencies, -OnlyDependencies,
# -DownloadOnly, Uninstall-EnvPackage -Force, and which dependencies a removal takes along (conda's rule: the
# dependents of the removed package, and the dependencies nothing requested still needs).
BeforeAll {
    $modulePath = $env:ENVTOOLS_MODULE
    if (-not $modulePath) { $modulePath = Join-Path $PSScriptRoot '../../out/EnvTools/EnvTools.psd1' }
    Import-Module $modulePath -Force
    Import-Module (Join-Path $PSScriptRoot 'TestPackages.psm1') -Force

    $script:saved = Use-IsolatedConda -Root (Join-Path $TestDrive 'conda')
    # the channel has libdemo 1.0 and holder (which needs any libdemo) when the test environments are made, then gets
    # libdemo 2.0, app 1.0 (needs libdemo) and app 2.0 (needs libdemo >=2)
    $script:chan = Join-Path $TestDrive 'channel'
    New-TestPackage -Channel $chan -Name libdemo -Version 1.0 -Files @{ 'lib/libdemo.txt' = "one`n" } | Out-Null
    New-TestPackage -Channel $chan -Name holder -Version 1.0 -Depends 'libdemo' -Files @{ 'share/holder.txt' = "holder`n" } | Out-Null
    Update-TestChannelIndex $chan | Out-Null
    # environments with holder (requested) and libdemo 1.0 (a dependency nobody asked for)
    $script:holderEnvs = @{}
    foreach ($leaf in 'default', 'freeze', 'unfreeze', 'deps', 'depsonly', 'conflict', 'download', 'update-download') {
        $holderEnvs[$leaf] = Join-Path $TestDrive "envs/$leaf"
        New-Env -Prefix $holderEnvs[$leaf] holder -Channel $chan | Out-Null
    }
    New-TestPackage -Channel $chan -Name libdemo -Version 2.0 -Files @{ 'lib/libdemo.txt' = "two`n" } | Out-Null
    New-TestPackage -Channel $chan -Name app -Version 1.0 -Depends 'libdemo' -Files @{ 'share/app.txt' = "app 1`n" } | Out-Null
    New-TestPackage -Channel $chan -Name app -Version 2.0 -Depends 'libdemo >=2' -Files @{ 'share/app.txt' = "app 2`n" } | Out-Null
    New-TestPackage -Channel $chan -Name solo -Version 0.1 -Files @{ 'share/solo.txt' = "solo`n" } | Out-Null
    Update-TestChannelIndex $chan | Out-Null

    function Show($items) { $items | ForEach-Object { "$($_.Action) $($_.Name) $($_.Version)" } }
    function Installed($prefix) { Get-EnvPackage -Prefix $prefix | ForEach-Object { "$($_.Name)=$($_.Version)" } | Sort-Object }
    function New-HolderEnv($leaf) { $holderEnvs[$leaf] }
}

AfterAll {
    Restore-IsolatedConda $saved
}

Describe 'Install-EnvPackage modifiers' {
    It 'changes an installed dependency to get the newest requested package by default' {
        $p = New-HolderEnv default
        Show (Install-EnvPackage app -Prefix $p -Channel $chan -DryRun) | Sort-Object | Should -Be @('Install app 2.0', 'Update libdemo 2.0')
    }

    It '-FreezeInstalled keeps installed packages and takes an older requested version instead' {
        $p = New-HolderEnv freeze
        Show (Install-EnvPackage app -Prefix $p -Channel $chan -FreezeInstalled) | Should -Be @('Install app 1.0')
        Installed $p | Should -Be @('app=1.0', 'holder=1.0', 'libdemo=1.0')
    }

    It '-FreezeInstalled solves again unfrozen when the request needs an installed package to change' {
        $p = New-HolderEnv unfreeze
        Show (Install-EnvPackage 'app=2' -Prefix $p -Channel $chan -FreezeInstalled) | Sort-Object | Should -Be @('Install app 2.0', 'Update libdemo 2.0')
    }

    It '-UpdateDependencies updates the dependencies of a satisfied request' {
        $p = New-HolderEnv deps
        Install-EnvPackage holder -Prefix $p -Channel $chan | Should -BeNullOrEmpty   # satisfied: nothing changes
        Show (Install-EnvPackage holder -Prefix $p -Channel $chan -UpdateDependencies) | Should -Be @('Update libdemo 2.0')
        Get-Content (Join-Path $p 'lib/libdemo.txt') -Raw | Should -Be "two`n"
        # conda's classic solver makes each package of the dependency chain a requested spec "that gets recorded in the
        # history file": "# update specs: ['libdemo', 'holder']"
        (Get-EnvHistory -Prefix $p -Revision -1).RequestedSpecs | Sort-Object | Should -Be @('holder', 'libdemo')
        (Get-Content (Join-Path $p 'conda-meta/libdemo-2.0-0.json') -Raw | ConvertFrom-Json).requested_spec | Should -Be 'libdemo'
    }

    It '-OnlyDependencies installs what a package needs but not the package, and records the dependencies as requested' {
        $p = Join-Path $TestDrive 'envs/only'
        New-Env -Prefix $p solo -Channel $chan | Out-Null
        Show (Install-EnvPackage app -Prefix $p -Channel $chan -OnlyDependencies) | Should -Be @('Install libdemo 2.0')
        Installed $p | Should -Be @('libdemo=2.0', 'solo=0.1')
        # conda: "# update specs: ['libdemo >=2', 'app']" (the dependencies of the left-out package join the request)
        $specs = (Get-EnvHistory -Prefix $p -Revision -1).RequestedSpecs
        $specs | Should -Contain 'libdemo[version=''>=2'']'
        $specs | Should -Contain 'app'
        (Get-Content (Join-Path $p 'conda-meta/libdemo-2.0-0.json') -Raw | ConvertFrom-Json).requested_spec | Should -Be 'libdemo[version=''>=2'']'
        # a requested dependency is no orphan: removing solo leaves it
        Show (Uninstall-EnvPackage solo -Prefix $p) | Should -Be @('Remove solo ')
    }

    It '-UpdateDependencies with -OnlyDependencies updates the dependencies, still without the package' {
        $p = New-HolderEnv depsonly
        Show (Install-EnvPackage holder -Prefix $p -Channel $chan -UpdateDependencies -OnlyDependencies) | Should -Be @('Update libdemo 2.0')
        Installed $p | Should -Be @('holder=1.0', 'libdemo=2.0')
    }

    It 'refuses modifiers conda makes exclusive, and changes nothing' {
        $p = New-HolderEnv conflict
        $before = Get-TreeDigest $p
        Install-EnvPackage app -Prefix $p -Channel $chan -FreezeInstalled -UpdateDependencies -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ConflictingModifiers,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        Install-EnvPackage app -Prefix $p -Channel $chan -NoDeps -OnlyDependencies -ErrorVariable err2 -ErrorAction SilentlyContinue | Out-Null
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'ConflictingModifiers,*'
        Get-TreeDigest $p | Should -Be $before
    }

    It '-DownloadOnly fills the package cache and leaves the environment; the install then works offline' {
        $p = New-HolderEnv download
        $before = Get-TreeDigest $p
        $savedPkgs = $env:CONDA_PKGS_DIRS
        $env:CONDA_PKGS_DIRS = Join-Path $TestDrive 'pkgs-download'   # a cache without app and libdemo 2.0
        try {
        $changes = Install-EnvPackage app -Prefix $p -Channel $chan -DownloadOnly
        Show $changes | Sort-Object | Should -Be @('Install app 2.0', 'Update libdemo 2.0')
        Get-TreeDigest $p | Should -Be $before
        Test-Path (Join-Path $env:CONDA_PKGS_DIRS 'app-2.0-0/info/index.json') | Should -BeTrue
        Test-Path (Join-Path $env:CONDA_PKGS_DIRS 'libdemo-2.0-0/info/index.json') | Should -BeTrue
        # the channel's packages are gone: only the cache (and the cached repodata) can serve the install now
        Get-ChildItem (Join-Path $chan '*/app-2.0-0.conda'), (Join-Path $chan '*/libdemo-2.0-0.conda') | Copy-Item -Destination (New-Item -ItemType Directory (Join-Path $TestDrive 'kept') -Force)
        Get-ChildItem (Join-Path $chan '*/app-2.0-0.conda'), (Join-Path $chan '*/libdemo-2.0-0.conda') | Remove-Item
        try { Show (Install-EnvPackage app -Prefix $p -Channel $chan -Offline) | Sort-Object | Should -Be @('Install app 2.0', 'Update libdemo 2.0') }
        finally { Get-ChildItem (Join-Path $TestDrive 'kept') | Copy-Item -Destination (Join-Path $chan ([EnvTools.Conda.Platform]::Current.Name)) }
        Installed $p | Should -Be @('app=2.0', 'holder=1.0', 'libdemo=2.0')
        }
        finally { $env:CONDA_PKGS_DIRS = $savedPkgs }
    }

    It 'New-Env -DownloadOnly fills the package cache and creates nothing; the create then works offline (conda create --download-only)' {
        $savedPkgs = $env:CONDA_PKGS_DIRS
        $env:CONDA_PKGS_DIRS = Join-Path $TestDrive 'pkgs-new-download'
        try {
            $p = Join-Path $TestDrive 'envs/new-download'
            Show (New-Env -Prefix $p app -Channel $chan -DownloadOnly) | Sort-Object | Should -Be @('Install app 2.0', 'Install libdemo 2.0')
            Test-Path $p | Should -BeFalse
            Test-Path (Join-Path $env:CONDA_PKGS_DIRS 'app-2.0-0/info/index.json') | Should -BeTrue
            (New-Env -Prefix $p app -Channel $chan -Offline).PackageCount | Should -Be 2
            Installed $p | Should -Be @('app=2.0', 'libdemo=2.0')
        }
        finally { $env:CONDA_PKGS_DIRS = $savedPkgs }
    }

    It 'an environment made for another platform keeps it: New-Env -Platform writes subdir into its .condarc, later installs use it (conda create --platform)' {
        $other = if ([EnvTools.Conda.Platform]::Current.Name -eq 'osx-arm64') { 'linux-64' } else { 'osx-arm64' }
        $xchan = Join-Path $TestDrive 'channel-cross'
        foreach ($sd in $other, [EnvTools.Conda.Platform]::Current.Name) {
            New-TestPackage -Channel $xchan -Name crossbase -Version 1.0 -Subdir $sd -Files @{ 'share/cross.txt' = "$sd`n" } | Out-Null
            New-TestPackage -Channel $xchan -Name crosstool -Version 1.0 -Subdir $sd -Depends 'crossbase' -Files @{ 'share/tool.txt' = "$sd`n" } | Out-Null
        }
        Update-TestChannelIndex $xchan | Out-Null
        $p = Join-Path $TestDrive 'envs/cross'
        New-Env -Prefix $p crossbase -Channel $xchan -Platform $other | Out-Null
        Get-Content (Join-Path $p '.condarc') | Should -Be "subdir: $other"
        # the environment's .condarc is read as conda reads it (the target prefix is in the search path), which the
        # suite's isolation (CONDA_RESTRICT_RC_SEARCH_PATH: only $CONDARC) turns off: turn it back on for this install
        $restrict = $env:CONDA_RESTRICT_RC_SEARCH_PATH
        Remove-Item env:CONDA_RESTRICT_RC_SEARCH_PATH
        try { Install-EnvPackage crosstool -Prefix $p -Channel $xchan -OverrideChannels | Out-Null }
        finally { $env:CONDA_RESTRICT_RC_SEARCH_PATH = $restrict }
        (Get-EnvPackage -Prefix $p).Subdir | Sort-Object -Unique | Should -Be $other
        Get-Content (Join-Path $p 'share/tool.txt') | Should -Be $other
    }

    It 'Update-EnvPackage -All keeps the installed python''s major.minor, as conda update --all does' {
        # the real conda 25.11.1 on this case: "All requested packages already installed" (numpy-2.0.0-py311_0, python-3.11.9)
        $pchan = Join-Path $TestDrive 'channel-py'
        New-TestPackage -Channel $pchan -Name python -Version 3.11.9 | Out-Null
        New-TestPackage -Channel $pchan -Name numpy -Version 1.26.4 -Build py311_0 -Depends 'python >=3.11,<3.12.0a0' | Out-Null
        Update-TestChannelIndex $pchan | Out-Null
        $p = Join-Path $TestDrive 'envs/py-all'
        New-Env -Prefix $p 'python=3.11' numpy -Channel $pchan | Out-Null
        New-TestPackage -Channel $pchan -Name python -Version 3.12.3 | Out-Null
        New-TestPackage -Channel $pchan -Name numpy -Version 2.0.0 -Build py312_0 -Depends 'python >=3.12,<3.13.0a0' | Out-Null
        New-TestPackage -Channel $pchan -Name numpy -Version 2.0.0 -Build py311_0 -Depends 'python >=3.11,<3.12.0a0' | Out-Null
        Update-TestChannelIndex $pchan | Out-Null
        Show (Update-EnvPackage -All -Prefix $p -Channel $pchan) | Should -Be @('Update numpy 2.0.0')
        Installed $p | Should -Be @('numpy=2.0.0', 'python=3.11.9')
        Show (Update-EnvPackage python -Prefix $p -Channel $pchan) | Sort-Object | Should -Be @('Reinstall numpy 2.0.0', 'Update python 3.12.3')
    }

    It 'Update-EnvPackage -DownloadOnly fetches the update and changes nothing' {
        $p = New-HolderEnv update-download
        $before = Get-TreeDigest $p
        $savedPkgs = $env:CONDA_PKGS_DIRS
        $env:CONDA_PKGS_DIRS = Join-Path $TestDrive 'pkgs-update-download'
        try {
            Show (Update-EnvPackage libdemo -Prefix $p -Channel $chan -DownloadOnly) | Should -Be @('Update libdemo 2.0')
            Get-TreeDigest $p | Should -Be $before
            Test-Path (Join-Path $env:CONDA_PKGS_DIRS 'libdemo-2.0-0/info/index.json') | Should -BeTrue
        }
        finally { $env:CONDA_PKGS_DIRS = $savedPkgs }
    }
}

Describe 'Uninstall-EnvPackage and dependencies' {
    It 'removes the package, its dependents and the dependencies nothing requested needs, as conda remove does (-DryRun and the removal agree)' {
        $p = Join-Path $TestDrive 'envs/orphans'
        New-Env -Prefix $p app solo -Channel $chan | Out-Null
        $planned = Show (Uninstall-EnvPackage app -Prefix $p -DryRun) | Sort-Object
        $planned | Should -Be @('Remove app ', 'Remove libdemo ')
        Show (Uninstall-EnvPackage app -Prefix $p) | Sort-Object | Should -Be $planned
        Installed $p | Should -Be @('solo=0.1')
        (Get-Help Uninstall-EnvPackage).Description.Text | Should -Match 'dependencies that no requested package needs any more'
    }

    It 'keeps a dependency the user requested' {
        $p = Join-Path $TestDrive 'envs/kept-dep'
        New-Env -Prefix $p app libdemo -Channel $chan | Out-Null
        Show (Uninstall-EnvPackage app -Prefix $p) | Should -Be @('Remove app ')
        Installed $p | Should -Be @('libdemo=2.0')
    }

    It '-Force removes only the matching package, leaving its dependents and dependencies' {
        $p = Join-Path $TestDrive 'envs/force'
        New-Env -Prefix $p app -Channel $chan | Out-Null
        Show (Uninstall-EnvPackage libdemo -Prefix $p -Force -DryRun) | Should -Be @('Remove libdemo ')
        Show (Uninstall-EnvPackage libdemo -Prefix $p -Force) | Should -Be @('Remove libdemo ')
        Installed $p | Should -Be @('app=2.0')
        Test-Path (Join-Path $p 'lib/libdemo.txt') | Should -BeFalse
        Test-Path (Join-Path $p 'share/app.txt') | Should -BeTrue
        (Get-Content (Join-Path $p 'conda-meta/history') -Raw) | Should -Match "(?m)^# remove specs: \['libdemo'\]$"
    }
}
