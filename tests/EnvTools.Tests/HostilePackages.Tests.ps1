# The hostile-package corpus (issue 16, items 1-4): packages whose metadata names paths outside the prefix, links that
# escape after they were checked (in one archive, or only together with another package's links), decompression
# bombs, placeholders declared where none can be, and conda's tar_traversal fixtures (repacked as channel packages).
# Each is refused by New-Env and by Install-EnvPackage with its ErrorId; nothing is written outside the sandbox's
# environment folders, and nothing of the package is left in the package cache.
# conda's fixtures come from ../shared/data (or $env:ENVTOOLS_CONFORMANCE_DATA): skipped with a message when the data
# is absent, failed when CI=true.
BeforeDiscovery {
    $script:traversal = @('absolute1', 'absolute2', 'dirsymlink', 'dirsymlink2a', 'dirsymlink2b', 'relative0', 'relative2', 'symlink') |
        ForEach-Object { @{ Fixture = $_ } }
}

BeforeAll {
    $modulePath = $env:ENVTOOLS_MODULE
    if (-not $modulePath) { $modulePath = Join-Path $PSScriptRoot '../../out/EnvTools/EnvTools.psd1' }
    Import-Module $modulePath -Force
    Import-Module (Join-Path $PSScriptRoot 'TestChannel.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TestPackages.psm1') -Force

    Import-Module (Join-Path $PSScriptRoot 'TestData.psm1') -Force
    $script:traversalDir = Get-ConformanceDataPath 'packages/conda-tests/tar_traversal'

    # Everything the tests touch lives under the sandbox; "outside" is everything in it but the environments and the
    # package cache (and the channel, which the tests write before the snapshot).
    $script:sandbox = Join-Path $TestDrive 'sandbox'
    $script:saved = Use-IsolatedConda -Root (Join-Path $sandbox 'conda')
    $script:pkgs = $env:CONDA_PKGS_DIRS
    $script:envs = $env:CONDA_ENVS_DIRS
    $script:chan = Join-Path $sandbox 'channel'
    $script:subdir = [EnvTools.Conda.Platform]::Current.Name
    $script:outsideMarkers = @('/tmp/moo', '/tmp/envtools-hostile-abs')
    $script:moduleDir = Split-Path (Get-Module EnvTools).Path

    # The module keeps SharpCompress in its own load context; the tests load the same file to write .tar.bz2 bytes.
    $sharp = Get-ChildItem (Split-Path (Get-Module EnvTools).Path) -Recurse -Filter SharpCompress.dll | Select-Object -First 1
    Add-Type -Path $sharp.FullName

    function Write-TarHeader([IO.Stream] $s, [string] $name, [char] $type, [long] $size, [string] $link) {
        $h = [byte[]]::new(512)
        function Put([int] $off, [int] $len, [string] $v) {
            $b = [Text.Encoding]::UTF8.GetBytes($v)
            [Array]::Copy($b, 0, $h, $off, [Math]::Min($b.Length, $len))
        }
        Put 0 100 $name
        Put 100 8 '0000755'
        Put 108 8 '0000000'
        Put 116 8 '0000000'
        Put 124 12 ([Convert]::ToString($size, 8).PadLeft(11, '0'))
        Put 136 12 '14000000000'
        $h[156] = [byte]$type
        Put 157 100 $link
        Put 257 6 'ustar'
        Put 263 2 '00'
        for ($i = 148; $i -lt 156; $i++) { $h[$i] = 32 }
        $sum = 0
        foreach ($x in $h) { $sum += $x }
        Put 148 8 ([Convert]::ToString($sum, 8).PadLeft(6, '0') + "`0 ")
        $s.Write($h, 0, 512)
    }

    function New-TarBytes([object[]] $Entries) {
        # Entries: @{ Name; Type ('0' file, '5' dir, '2' symlink); Content; Link }
        $ms = [IO.MemoryStream]::new()
        foreach ($e in $Entries) {
            $type = if ($e.Type) { [char]$e.Type } else { [char]'0' }
            [byte[]] $bytes = [byte[]]::new(0)
            if ($type -eq '0') { $bytes = [Text.Encoding]::UTF8.GetBytes([string]$e.Content) }
            Write-TarHeader $ms $e.Name $type $bytes.Length ([string]$e.Link)
            $ms.Write($bytes, 0, $bytes.Length)
            $pad = (512 - ($bytes.Length % 512)) % 512
            $ms.Write([byte[]]::new($pad), 0, $pad)
        }
        $ms.ToArray()
    }

    function Write-TarBz2([string] $Path, [byte[]] $Tar) {
        $fs = [IO.File]::Create($Path)
        try {
            $bz = [SharpCompress.Compressors.BZip2.BZip2Stream]::Create($fs, [SharpCompress.Compressors.CompressionMode]::Compress, $false, $true)
            $bz.Write($Tar, 0, $Tar.Length)
            $bz.Dispose()
        }
        finally { $fs.Dispose() }
    }

    function Get-IndexJson([string] $Name, [string[]] $Depends = @()) {
        [ordered]@{ name = $Name; version = '1.0'; build = '0'; build_number = 0; depends = @($Depends); subdir = $script:subdir } | ConvertTo-Json -Compress
    }

    function New-RawPackage([string] $Name, [object[]] $Entries, [byte[]] $Tail = $null) {
        # info/index.json first (the indexer reads it), then the entries, then raw tar bytes (a conda fixture, with its end blocks).
        $head = New-TarBytes (@(@{ Name = 'info/index.json'; Content = (Get-IndexJson $Name) }) + $Entries)
        $tar = if ($Tail) { [byte[]]($head + $Tail) } else { [byte[]]($head + [byte[]]::new(1024)) }
        $dir = Join-Path $script:chan $script:subdir
        New-Item -ItemType Directory $dir -Force | Out-Null
        Write-TarBz2 (Join-Path $dir "$Name-1.0-0.tar.bz2") $tar
    }

    function Get-PathsJson([object[]] $Paths) {
        @{ paths = @($Paths); paths_version = 1 } | ConvertTo-Json -Depth 5 -Compress
    }

    # ---------------------------------------------------------------- the corpus
    $script:cases = [ordered]@{}
    function Add-Case([string] $Name, [string] $ErrorId) { $script:cases[$Name] = $ErrorId }

    # item 1: paths outside the prefix in paths.json (the files themselves are harmless)
    foreach ($c in @(
            @{ Name = 'escape-dotdot'; Path = '../../escaped-dir'; Type = 'directory' },
            @{ Name = 'escape-sibling'; Path = '../sibling/etc/x'; Type = 'hardlink' },
            @{ Name = 'escape-absolute'; Path = '/tmp/envtools-hostile-abs'; Type = 'directory' })) {
        $def = @{ 'lib/ok.txt' = "ok`n" }
        New-TestPackage -Channel $chan -Name $c.Name -Version 1.0 -Format TarBz2 -Files $def -InfoFiles @{
            'paths.json' = Get-PathsJson @(@{ _path = 'lib/ok.txt'; path_type = 'hardlink'; size_in_bytes = 3 }, @{ _path = $c.Path; path_type = $c.Type })
        } | Out-Null
        Add-Case $c.Name 'UnsafeArchive'
    }

    # item 2: l -> a/b/../.. is checked before a/b -> . makes it leave the package
    New-RawPackage 'late-link' @(
        @{ Name = 'a/'; Type = '5' }, @{ Name = 'a/b/'; Type = '5' },
        @{ Name = 'l'; Type = '2'; Link = 'a/b/../..' }, @{ Name = 'a/b'; Type = '2'; Link = '.' })
    Add-Case 'late-link' 'UnsafeArchive'

    # item 2 across packages: link-base's a/b -> . turns link-evil's l -> a/b/../.. into the envs folder
    New-RawPackage 'link-base' @(
        @{ Name = 'info/paths.json'; Content = (Get-PathsJson @(@{ _path = 'a/keep.txt'; path_type = 'hardlink'; size_in_bytes = 1 }, @{ _path = 'a/b'; path_type = 'softlink' })) },
        @{ Name = 'a/keep.txt'; Content = 'k' }, @{ Name = 'a/b'; Type = '2'; Link = '.' })
    $evilIndex = Get-IndexJson 'link-evil' @('link-base')
    $evilTar = New-TarBytes @(
        @{ Name = 'info/index.json'; Content = $evilIndex },
        @{ Name = 'info/paths.json'; Content = (Get-PathsJson @(@{ _path = 'l'; path_type = 'softlink' })) },
        @{ Name = 'l'; Type = '2'; Link = 'a/b/../..' })
    Write-TarBz2 (Join-Path $chan "$subdir/link-evil-1.0-0.tar.bz2") ([byte[]]($evilTar + [byte[]]::new(1024)))
    Add-Case 'link-evil' 'UnsafeArchive'

    # item 3: 64 MiB of zeros declared as 3 bytes
    $bombSrc = Join-Path $TestDrive 'bomb-src'
    New-Item -ItemType Directory (Join-Path $bombSrc 'lib') -Force | Out-Null
    $fs = [IO.File]::Create((Join-Path $bombSrc 'lib/bomb.bin')); $fs.SetLength(64MB); $fs.Dispose()
    $def = [EnvTools.Packages.PackageDefinition]::new()
    $def.Name = 'bomb'; $def.Version = '1.0'; $def.Build = '0'; $def.Subdir = $subdir; $def.Timestamp = 1700000000000
    $def.InfoFiles['paths.json'] = Get-PathsJson @(@{ _path = 'lib/bomb.bin'; path_type = 'hardlink'; size_in_bytes = 3 })
    [EnvTools.Packages.PackageBuilder]::Build($bombSrc, $def, (Join-Path $chan $subdir), [EnvTools.Packages.PackageFormats]'Conda') | Out-Null
    $script:bombSize = (Get-Item (Join-Path $chan "$subdir/bomb-1.0-0.conda")).Length
    Add-Case 'bomb' 'ArchiveTooLarge'

    # item 4: a placeholder on a directory, and on a real symlink
    New-TestPackage -Channel $chan -Name 'placeholder-dir' -Version 1.0 -Format TarBz2 -Files @{ 'etc/conf/x' = "x`n" } -InfoFiles @{
        'paths.json' = Get-PathsJson @(@{ _path = 'etc/conf'; path_type = 'directory'; prefix_placeholder = '/opt/anaconda1anaconda2anaconda3'; file_mode = 'text' })
    } | Out-Null
    Add-Case 'placeholder-dir' 'MalformedPackageMetadata'
    New-RawPackage 'placeholder-link' @(
        @{ Name = 'info/paths.json'; Content = (Get-PathsJson @(
                    @{ _path = 'lib/libx.so.1'; path_type = 'hardlink'; size_in_bytes = 1 },
                    @{ _path = 'lib/libx.so'; path_type = 'softlink'; prefix_placeholder = '/opt/anaconda1anaconda2anaconda3'; file_mode = 'binary' })) },
        @{ Name = 'lib/libx.so.1'; Content = 'x' }, @{ Name = 'lib/libx.so'; Type = '2'; Link = 'libx.so.1' })
    Add-Case 'placeholder-link' 'MalformedPackageMetadata'

    # conda's tar_traversal fixtures, behind an info/index.json
    if (Test-Path (Join-Path $traversalDir 'absolute1.tar')) {
        foreach ($f in Get-ChildItem $traversalDir -Filter *.tar) {
            $name = 'traversal-' + $f.BaseName.ToLowerInvariant()
            New-RawPackage $name @() -Tail ([IO.File]::ReadAllBytes($f.FullName))
            Add-Case $name 'UnsafeArchive'
        }
    }

    # a harmless package to install the hostile ones next to
    New-TestPackage -Channel $chan -Name 'benign' -Version 1.0 -Files @{ 'share/benign.txt' = "benign`n" } | Out-Null
    Update-TestChannelIndex $chan | Out-Null

    function Get-Outside {
        # Every path in the sandbox but the tests' environments, the package cache, HOME (environments.txt) and the
        # index cache, plus the absolute targets of the corpus. The envs folder itself is watched: a link escape lands there.
        $skip = @($script:pkgs, $env:HOME, $env:ENVTOOLS_INDEX_CACHE) +
            @('new-', 'install-', 'traversal-' | ForEach-Object { Join-Path $script:envs $_ })
        $list = Get-ChildItem -LiteralPath $script:sandbox -Recurse -Force -ErrorAction SilentlyContinue |
            Where-Object { $p = $_.FullName; -not ($skip | Where-Object { $p.StartsWith($_, [StringComparison]::Ordinal) }) } |
            ForEach-Object { $_.FullName }
        @($list) + @($script:outsideMarkers | Where-Object { Test-Path -LiteralPath $_ })
    }

    function Get-CacheLeftovers([string] $Name) {
        Get-ChildItem -LiteralPath $script:pkgs -Force -ErrorAction SilentlyContinue |
            Where-Object { $_.Name -like "$Name-1.0-0*" -or $_.Name -like ".$Name-1.0-0*" } | ForEach-Object Name
    }

    $script:before = Get-Outside
}

AfterAll {
    Restore-IsolatedConda $saved
}

Describe 'hostile packages' {
    BeforeDiscovery {
        $script:names = @('escape-dotdot', 'escape-sibling', 'escape-absolute', 'late-link', 'link-evil', 'bomb', 'placeholder-dir', 'placeholder-link') |
            ForEach-Object { @{ Name = $_ } }
    }

    It 'New-Env refuses <Name> with its ErrorId, writes nothing outside, leaves nothing in the cache' -ForEach $names {
        if ($Name -in 'link-evil', 'placeholder-link' -and (Test-UnderWine)) {
            Set-ItResult -Skipped -Because 'Wine-impossible: the package links symbolic links, which Wine does not have (runs on Linux and on Windows)'; return
        }
        $id = $cases[$Name]
        $prefix = Join-Path $envs "new-$Name"
        New-Env -Prefix $prefix $Name -Channel $chan -ErrorAction SilentlyContinue -ErrorVariable err | Out-Null
        $err.Count | Should -BeGreaterThan 0
        $err[0].FullyQualifiedErrorId | Should -BeLike "$id,*"
        $err[0].Exception | Should -BeOfType ([EnvTools.EnvToolsException])
        Get-ChildItem (Join-Path $prefix 'conda-meta') -Filter '*.json' -ErrorAction SilentlyContinue | Where-Object Name -like "$Name-*" | Should -BeNullOrEmpty
        # link-evil is a sound archive, refused only when linked next to link-base: its cache entry is no hazard.
        if ($Name -ne 'link-evil') { Get-CacheLeftovers $Name | Should -BeNullOrEmpty }
        Compare-Object $before (Get-Outside) | Should -BeNullOrEmpty
    }

    It 'Install-EnvPackage refuses <Name> next to an installed package and leaves the environment as it was' -ForEach $names {
        if ($Name -in 'link-evil', 'placeholder-link' -and (Test-UnderWine)) {
            Set-ItResult -Skipped -Because 'Wine-impossible: the package links symbolic links, which Wine does not have (runs on Linux and on Windows)'; return
        }
        $id = $cases[$Name]
        $prefix = Join-Path $envs "install-$Name"
        New-Env -Prefix $prefix benign -Channel $chan | Out-Null
        $digest = Get-TreeDigest $prefix -Exclude 'conda-meta/*'
        Install-EnvPackage $Name -Prefix $prefix -Channel $chan -ErrorAction SilentlyContinue -ErrorVariable err | Out-Null
        $err.Count | Should -BeGreaterThan 0
        $err[0].FullyQualifiedErrorId | Should -BeLike "$id,*"
        Get-TreeDigest $prefix -Exclude 'conda-meta/*' | Should -Be $digest
        (Get-EnvPackage -Prefix $prefix).Name | Should -Be @('benign')
        Test-Env -Prefix $prefix | Should -BeNullOrEmpty
        if ($Name -ne 'link-evil') { Get-CacheLeftovers $Name | Should -BeNullOrEmpty }
        Compare-Object $before (Get-Outside) | Should -BeNullOrEmpty
    }

    It 'the bomb is a small archive that would expand to 64 MiB' {
        $bombSize | Should -BeLessThan 256KB
    }
}

Describe 'conda''s tar_traversal fixtures as channel packages' {
    It 'refuses <Fixture> with UnsafeArchive, writes nothing outside, leaves nothing in the cache' -ForEach $traversal {
        $rel = "packages/conda-tests/tar_traversal/$Fixture.tar"
        if (-not (Test-ConformanceData $rel)) { Set-ItResult -Skipped -Because (Get-ConformanceDataMessage $rel); return }

        $name = "traversal-$Fixture"
        $prefix = Join-Path $envs $name
        New-Env -Prefix $prefix $name -Channel $chan -ErrorAction SilentlyContinue -ErrorVariable err | Out-Null
        $err.Count | Should -BeGreaterThan 0
        $err[0].FullyQualifiedErrorId | Should -BeLike 'UnsafeArchive,*'
        Get-CacheLeftovers $name | Should -BeNullOrEmpty
        Compare-Object $before (Get-Outside) | Should -BeNullOrEmpty
    }
}
