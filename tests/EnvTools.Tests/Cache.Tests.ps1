BeforeAll {
    $modulePath = $env:ENVTOOLS_MODULE
    if (-not $modulePath) { $modulePath = Join-Path $PSScriptRoot '../../out/EnvTools/EnvTools.psd1' }
    Import-Module $modulePath -Force
    Import-Module (Join-Path $PSScriptRoot 'TestIsolation.psm1') -Force

    # Only $CONDARC is read, and every cache the cmdlet may clear lives in TestDrive.
    $script:saved = @{}
    foreach ($name in 'CONDARC', 'CONDA_RESTRICT_RC_SEARCH_PATH', 'CONDA_PKGS_DIRS', 'CONDA_PREFIX', 'CONDA_OFFLINE', 'XDG_CACHE_HOME', 'ENVTOOLS_INDEX_CACHE') {
        $script:saved[$name] = [Environment]::GetEnvironmentVariable($name)
        Set-TestVariable $name $null
    }
    $env:CONDA_RESTRICT_RC_SEARCH_PATH = '1'

    # Builds two packages into a local channel with the engine's PackageBuilder and fills a package cache from it.
    function New-FilledCache {
        param([string] $Root)
        $channel = Join-Path $Root 'channel'
        foreach ($name in 'used', 'spare') {
            $src = Join-Path $Root "src-$name"
            New-Item -ItemType Directory -Path (Join-Path $src 'lib') -Force | Out-Null
            Set-Content -Path (Join-Path $src "lib/$name.txt") -Value "payload of $name"
            $def = [EnvTools.Packages.PackageDefinition]@{ Name = $name; Version = '1.0'; Build = '0'; Subdir = 'linux-64' }
            [EnvTools.Packages.PackageBuilder]::Build($src, $def, (Join-Path $channel 'linux-64'), 'Both') | Out-Null
        }
        [EnvTools.Packages.ChannelIndexer]::Index($channel) | Out-Null
        $subdir = Join-Path $channel 'linux-64'
        $records = [EnvTools.RepoData.RepoDataParser]::ParseFile((Join-Path $subdir 'repodata.json'), [uri]::new($subdir).AbsoluteUri).PackagesConda
        $pkgs = Join-Path $Root 'pkgs'
        $cache = [EnvTools.Fetch.PackageCache]::new([string[]] @($pkgs), $null)
        $null = $cache.EnsureAsync([EnvTools.Conda.RepoDataRecord[]] @($records), $null, [Threading.CancellationToken]::None).GetAwaiter().GetResult()

        # an "environment" hard-links the files of 'used' (as the installer does)
        $envLib = Join-Path $Root 'envs/demo/lib'
        New-Item -ItemType Directory -Path $envLib -Force | Out-Null
        New-Item -ItemType HardLink -Path (Join-Path $envLib 'used.txt') -Target (Join-Path $pkgs 'used-1.0-0/lib/used.txt') | Out-Null

        # repodata cache and index files
        New-Item -ItemType Directory -Path (Join-Path $pkgs 'cache') -Force | Out-Null
        Set-Content -Path (Join-Path $pkgs 'cache/0123abcd.json') -Value '{}'
        Set-Content -Path (Join-Path $pkgs 'cache/0123abcd.info.json') -Value '{}'
        New-Item -ItemType Directory -Path $env:ENVTOOLS_INDEX_CACHE -Force | Out-Null
        Set-Content -Path (Join-Path $env:ENVTOOLS_INDEX_CACHE 'repodata.json-0123.etidx') -Value 'x'
        return $pkgs
    }
}

AfterAll {
    foreach ($name in $script:saved.Keys) { Set-TestVariable $name $script:saved[$name] }
}

Describe 'Clear-EnvCache' {
    BeforeEach {
        $script:root = Join-Path $TestDrive ([guid]::NewGuid().ToString('N').Substring(0, 8))
        New-Item -ItemType Directory -Path $root | Out-Null
        $env:XDG_CACHE_HOME = Join-Path $root 'xdg'
        $env:ENVTOOLS_INDEX_CACHE = Join-Path $root 'index'
        $env:CONDARC = Join-Path $root 'condarc.yml'
        Set-Content -Path $env:CONDARC -Value "pkgs_dirs:`n  - $(Join-Path $root 'pkgs')"
        $script:pkgs = New-FilledCache -Root $root
    }

    It 'removes nothing with -WhatIf' {
        $before = Get-ChildItem $pkgs -Recurse -Force | ForEach-Object FullName
        $out = Clear-EnvCache -All -WhatIf
        $out | Should -BeNullOrEmpty
        Get-ChildItem $pkgs -Recurse -Force | ForEach-Object FullName | Should -Be $before
    }

    It 'removes only the extracted packages no environment links to with -Unused' {
        $out = Clear-EnvCache -Unused
        $out.PSObject.TypeNames[0] | Should -Be 'EnvTools.CacheItem'
        @($out).Count | Should -Be 1
        $out.Kind | Should -Be 'Package'
        $out.Name | Should -Be 'spare-1.0-0'
        $out.Path | Should -Be (Join-Path $pkgs 'spare-1.0-0')
        $out.Size | Should -BeGreaterThan 0
        Test-Path (Join-Path $pkgs 'spare-1.0-0') | Should -BeFalse
        Test-Path (Join-Path $pkgs 'used-1.0-0/info/repodata_record.json') | Should -BeTrue
        Test-Path (Join-Path $pkgs 'spare-1.0-0.conda') | Should -BeTrue
    }

    It 'removes archives with -Tarballs and the repodata cache and indexes with -Index' {
        $tarballs = Clear-EnvCache -Tarballs
        ($tarballs.Name | Sort-Object) | Should -Be @('spare-1.0-0', 'used-1.0-0')
        $tarballs.Kind | Sort-Object -Unique | Should -Be 'Tarball'
        Get-ChildItem $pkgs -Filter *.conda | Should -BeNullOrEmpty
        Test-Path (Join-Path $pkgs 'spare-1.0-0/info') | Should -BeTrue

        $index = Clear-EnvCache -Index
        ($index | ForEach-Object { Split-Path $_.Path -Leaf } | Sort-Object) | Should -Be @('0123abcd.info.json', '0123abcd.json', 'repodata.json-0123.etidx')
        Get-ChildItem (Join-Path $pkgs 'cache') | Should -BeNullOrEmpty
    }

    It 'removes everything with -All, linked packages included' {
        $out = Clear-EnvCache -All -Confirm:$false
        ($out | Group-Object Kind | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Count)" }) | Should -Be @('Index=3', 'Package=2', 'Tarball=2')
        Get-ChildItem $pkgs -Exclude 'cache', '.envtools-locks', 'urls.txt' | Should -BeNullOrEmpty
        # the environment's hard link survives its package's removal
        Get-Content (Join-Path $root 'envs/demo/lib/used.txt') | Should -Be 'payload of used'
    }

    It 'asks what to clear when no switch is given' {
        { Clear-EnvCache -ErrorAction Stop } | Should -Throw -ErrorId 'NoCacheKindSelected,EnvTools.Commands.ClearEnvCacheCommand'
    }
}
