# The cmdlets on real packages from conda's and rattler's test data (../shared/data, or
# $env:ENVTOOLS_CONFORMANCE_DATA): conda's test recipes (noarch python, clobbering, link scripts, activate.d),
# rattler's clobber packages over the loopback HTTP server, and a ROS2 package with binary placeholders in
# ELF files. Skipped with a message when the data is absent.
BeforeDiscovery {
    # under CI=true a missing data set fails the file instead of skipping its tests
    Import-Module (Join-Path $PSScriptRoot 'TestData.psm1') -Force
    $script:haveData = Test-ConformanceData 'packages/conda-tests/test-recipes/noarch'
    if (-not $haveData) { Write-Warning "$(Get-ConformanceDataMessage 'packages/conda-tests/test-recipes/noarch'): real-package tests are skipped" }
    $script:isLinux64 = $IsLinux -and [Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'X64'
}

BeforeAll {
    $modulePath = $env:ENVTOOLS_MODULE
    if (-not $modulePath) { $modulePath = Join-Path $PSScriptRoot '../../out/EnvTools/EnvTools.psd1' }
    Import-Module $modulePath -Force
    Import-Module (Join-Path $PSScriptRoot 'TestChannel.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TestPackages.psm1') -Force

    Import-Module (Join-Path $PSScriptRoot 'TestData.psm1') -Force
    $script:data = Get-ConformanceDataRoot
    $script:saved = Use-IsolatedConda -Root (Join-Path $TestDrive 'conda')
    $script:hostSubdir = [EnvTools.Conda.Platform]::Current.Name

    function New-ChannelFrom([string] $Name, [string[]] $Archives) {
        $chan = Join-Path $TestDrive $Name
        New-Item -ItemType Directory (Join-Path $chan $script:hostSubdir) -Force | Out-Null
        foreach ($a in $Archives) {
            $subdir = Split-Path (Split-Path $a) -Leaf
            New-Item -ItemType Directory (Join-Path $chan $subdir) -Force | Out-Null
            Copy-Item $a (Join-Path $chan $subdir)
        }
        Update-TestChannelIndex $chan
    }
}

AfterAll {
    Restore-IsolatedConda $saved
}

Describe 'conda''s test recipes' -Skip:(-not $haveData) {
    BeforeAll {
        $recipes = Join-Path $data 'packages/conda-tests/test-recipes/noarch'
        $script:chan = New-ChannelFrom 'recipes' (Get-ChildItem $recipes -Filter *.conda).FullName
    }

    It 'links a noarch: python package into the site-packages its python names (python_site_packages_path)' {
        $prefix = Join-Path $TestDrive 'e/noarch'
        New-Env -Prefix $prefix sample_noarch_python 'python=3.99.99' -Channel $chan | Out-Null
        Test-Path (Join-Path $prefix 'lib/python3.99t/site-packages/sample.py') | Should -BeTrue
        Test-Path (Join-Path $prefix 'site-packages') | Should -BeFalse
        $record = Get-Content (Join-Path $prefix 'conda-meta/sample_noarch_python-1.0-py_0.json') -Raw | ConvertFrom-Json
        $record.files | Should -Contain 'lib/python3.99t/site-packages/sample.py'
        Test-Env -Prefix $prefix | Should -BeNullOrEmpty
    }

    It 'warns about two packages that ship one file, and gives it back to the other owner on removal' {
        $prefix = Join-Path $TestDrive 'e/clobber'
        New-Env -Prefix $prefix clobber-a -Channel $chan | Out-Null
        Install-EnvPackage clobber-b -Prefix $prefix -Channel $chan -WarningVariable warned -WarningAction SilentlyContinue | Out-Null
        $warned | Should -Not -BeNullOrEmpty
        "$warned" | Should -Match 'bin/clobber-test-file'
        $winner = (Get-Content (Join-Path $prefix 'bin/clobber-test-file') -Raw).Trim()
        $loser = if ($winner -eq 'clobber-a') { 'clobber-b' } else { 'clobber-a' }
        Uninstall-EnvPackage $winner -Prefix $prefix | Out-Null
        (Get-Content (Join-Path $prefix 'bin/clobber-test-file') -Raw).Trim() | Should -Be $loser
        Test-Env -Prefix $prefix | Should -BeNullOrEmpty
    }

    # Unix-only: conda's test recipes ship .sh scripts only
    It 'does not run link scripts unless -AllowLinkScripts' -Tag UnixOnly -Skip:$IsWindows {
        $prefix = Join-Path $TestDrive 'e/scripts'
        New-Env -Prefix $prefix -Channel $chan | Out-Null
        # failing_post_link's script exits 1: without -AllowLinkScripts it never runs
        (Install-EnvPackage failing_post_link -Prefix $prefix -Channel $chan).Name | Should -Be 'failing_post_link'
        Uninstall-EnvPackage failing_post_link -Prefix $prefix | Out-Null
    }

    # Unix-only: conda's test recipes ship .sh scripts only
    It 'rolls the environment back when a post-link script fails' -Tag UnixOnly -Skip:$IsWindows {
        $prefix = Join-Path $TestDrive 'e/failing'
        New-Env -Prefix $prefix clobber-a -Channel $chan | Out-Null
        $before = Get-TreeDigest $prefix -Exclude 'conda-meta/history'
        Install-EnvPackage failing_post_link -Prefix $prefix -Channel $chan -AllowLinkScripts -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'LinkScriptFailed,*'
        Get-TreeDigest $prefix -Exclude 'conda-meta/history' | Should -Be $before
        (Get-EnvPackage -Prefix $prefix).Name | Should -Be 'clobber-a'
    }

    # Unix-only: conda's test recipes ship .sh scripts only
    It 'runs an activate.d shell script of a package when the environment is enabled' -Tag UnixOnly -Skip:$IsWindows {
        $prefix = Join-Path $TestDrive 'e/activate'
        New-Env -Prefix $prefix activate_deactivate_package -Channel $chan | Out-Null
        $hadTest = Test-Path env:TEST
        Enable-Env -Prefix $prefix
        try { $env:TEST | Should -Be 'teststringfromactivate' }
        finally { Disable-Env }
        Test-Path env:TEST | Should -Be $hadTest
    }
}

Describe 'rattler''s clobber packages over HTTP' -Skip:(-not $haveData) {
    BeforeAll {
        $served = Join-Path $TestDrive 'served'
        $clobber = Join-Path $data 'packages/rattler/clobber'
        $chanDir = Join-Path $served 'clobber'
        New-Item -ItemType Directory (Join-Path $chanDir $script:hostSubdir), (Join-Path $chanDir 'noarch') -Force | Out-Null
        foreach ($a in Get-ChildItem $clobber -Filter 'clobber-*-0.1.0-*.tar.bz2') {
            $index = [Text.Encoding]::UTF8.GetString([EnvTools.Packages.PackageArchive]::ReadMember($a.FullName, 'info/index.json', [Threading.CancellationToken]::None)) | ConvertFrom-Json
            $sub = $index.subdir
            New-Item -ItemType Directory (Join-Path $chanDir $sub) -Force | Out-Null
            Copy-Item $a.FullName (Join-Path $chanDir $sub)
        }
        Update-TestChannelIndex $chanDir | Out-Null
        $script:server = Start-TestChannelServer -Path $served
    }
    AfterAll { if ($server) { $server | Stop-TestChannelServer } }

    It 'installs both, records the clobbered paths, and restores the survivor''s files on removal' {
        $prefix = Join-Path $TestDrive 'e/rattler-clobber'
        New-Env -Prefix $prefix clobber-1 clobber-2 -Channel "$($server.Url)/clobber" -WarningVariable warned -WarningAction SilentlyContinue | Out-Null
        $warned | Should -Not -BeNullOrEmpty
        (Get-EnvPackage -Prefix $prefix).Name | Sort-Object | Should -Be @('clobber-1', 'clobber-2')
        Test-Env -Prefix $prefix | Should -BeNullOrEmpty
        Uninstall-EnvPackage clobber-1 -Prefix $prefix | Out-Null
        Test-Env -Prefix $prefix | Should -BeNullOrEmpty
        (Get-EnvPackage -Prefix $prefix).Name | Should -Be 'clobber-2'
    }
}

# Unix-only: linux-64 ELF files whose binary placeholders are rewritten and read back on linux-64
Describe 'a ROS2 package with binary placeholders in ELF files' -Tag UnixOnly -Skip:(-not $haveData -or -not $isLinux64) {
    It 'rewrites the binary placeholders (installed alone with -NoDeps)' {
        # the package and stand-ins for its dependencies, which -NoDeps must leave out of the environment
        $chan = New-ChannelFrom 'ros2' @(Join-Path $data 'packages/clfml-ros2-jazzy/linux-64/ros-jazzy-audio-tools-2.5-h738df08_0.tar.bz2')
        foreach ($dep in 'libgcc', 'libstdcxx', 'ros-jazzy-rclcpp', 'ros-jazzy-rosidl-default-runtime', 'ros-jazzy-sdl2-vendor', 'ros-jazzy-std-msgs') {
            New-TestPackage -Channel $chan -Name $dep -Version 1.0 -Subdir linux-64 -Files @{ "share/$dep.txt" = "stand-in`n" } | Out-Null
        }
        Update-TestChannelIndex $chan | Out-Null
        $prefix = Join-Path $TestDrive 'e/ros2'
        New-Env -Prefix $prefix ros-jazzy-audio-tools -Channel $chan -Platform linux-64 -NoDeps | Out-Null
        (Get-EnvPackage -Prefix $prefix).Name | Should -Be 'ros-jazzy-audio-tools'
        $record = Get-ChildItem (Join-Path $prefix 'conda-meta') -Filter 'ros-jazzy-audio-tools-*.json' | Get-Content -Raw | ConvertFrom-Json
        $binary = @($record.paths_data.paths | Where-Object file_mode -eq 'binary')
        $binary.Count | Should -BeGreaterThan 0
        foreach ($p in $binary) {
            $bytes = [IO.File]::ReadAllBytes((Join-Path $prefix $p._path))
            $text = [Text.Encoding]::Latin1.GetString($bytes)
            $text.Contains($p.prefix_placeholder) | Should -BeFalse -Because "$($p._path) must not keep the build prefix"
            $text.Contains($prefix) | Should -BeTrue -Because "$($p._path) must hold the new prefix"
            $bytes.Length | Should -Be $p.size_in_bytes -Because 'binary replacement pads with NULs and keeps the size'
        }
        Test-Env -Prefix $prefix | Should -BeNullOrEmpty
    }
}
