# New-Env -File pixi.lock end to end: a pixi lock file (format 6) written by the test for packages the test builds,
# served from a local folder (file:// URLs) and from the loopback HTTP server; exact installs without a solve,
# -LockEnvironment, and a wrong sha256 in the lock failing as ChecksumMismatch.
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
    # No repodata: a lock file needs none. The packages are only reachable through the lock's URLs.
    $script:built = @{}
    foreach ($v in '1.0', '2.0') {
        $script:built["libdemo-$v"] = New-TestPackage -Channel $chan -Name libdemo -Version $v -Build "h1_$($v[0])" -Files @{ 'share/libdemo/config.txt' = "prefix=$placeholder`nversion=$v`n" } | Select-Object -First 1
    }
    $script:built['app'] = New-TestPackage -Channel $chan -Name app -Version 1.0 -Depends 'libdemo >=1' -Files @{ 'share/app.txt' = "app in $placeholder`n" } | Select-Object -First 1
    $script:built['tool'] = New-TestPackage -Channel $chan -Name tool -Version 0.5 -Noarch generic -Files @{ 'share/tool.txt' = "tool`n" } | Select-Object -First 1

    function PackageSet([string] $Prefix) { Get-EnvPackage -Prefix $Prefix | Where-Object Source -eq 'Conda' | ForEach-Object { "$($_.Name)=$($_.Version)=$($_.Build)" } | Sort-Object }

    # A format-6 pixi.lock: environment 'default' = app, libdemo 1.0, tool; environment 'old' = libdemo 2.0 only.
    # $Base is the URL the archives are under (<base>/<subdir>/<file>); $Sha overrides one package's sha256.
    function Write-PixiLock([string] $Path, [string] $Base, [hashtable] $Sha = @{}) {
        $url = @{}
        foreach ($k in $built.Keys) {
            $sub = if ($k -eq 'tool') { 'noarch' } else { $subdir }
            $url[$k] = "$Base/$sub/$($built[$k].FileName)"
        }
        $lines = @('version: 6', 'environments:', '  default:', '    channels:', "      - url: $Base/", '    packages:', "      ${subdir}:")
        foreach ($k in 'app', 'libdemo-1.0', 'tool') { $lines += "        - conda: $($url[$k])" }
        $lines += @('  old:', '    channels:', "      - url: $Base/", '    packages:', "      ${subdir}:", "        - conda: $($url['libdemo-2.0'])", 'packages:')
        foreach ($k in 'app', 'libdemo-1.0', 'libdemo-2.0', 'tool') {
            $b = $built[$k]
            $sha256 = if ($Sha.ContainsKey($k)) { $Sha[$k] } else { $b.Sha256 }
            $lines += "  - conda: $($url[$k])"
            $lines += "    sha256: $sha256"
            $lines += "    md5: $($b.Md5)"
            if ($k -eq 'app') { $lines += @('    depends:', "      - libdemo >=1") }
            if ($k -eq 'tool') { $lines += '    noarch: generic' }
            $lines += "    size: $($b.Size)"
        }
        Set-Content -Path $Path -Value ($lines -join "`n")
        $Path
    }
}

AfterAll {
    Restore-IsolatedConda $saved
}

Describe 'New-Env -File pixi.lock from a local folder (file:// URLs)' {
    BeforeAll {
        $script:base = ([Uri]::new($chan)).AbsoluteUri.TrimEnd('/')
        $script:lock = Write-PixiLock (Join-Path $TestDrive 'pixi.lock') $base
    }

    It 'installs the default environment''s packages for this platform exactly, without a solve' {
        $dest = Join-Path $TestDrive 'envs/pixi-default'
        (New-Env -Prefix $dest -File $lock).PackageCount | Should -Be 3
        PackageSet $dest | Should -Be @('app=1.0=0', 'libdemo=1.0=h1_1', 'tool=0.5=0')
        Get-Content (Join-Path $dest 'share/app.txt') -Raw | Should -Be "app in $(Get-TextPrefix $dest)`n"
        $record = Get-Content (Join-Path $dest "conda-meta/libdemo-1.0-h1_1.json") -Raw | ConvertFrom-Json
        $record.sha256 | Should -Be $built['libdemo-1.0'].Sha256
        Test-Env -Prefix $dest | Should -BeNullOrEmpty
    }

    It '-LockEnvironment picks another environment of the lock' {
        $dest = Join-Path $TestDrive 'envs/pixi-old'
        (New-Env -Prefix $dest -File $lock -LockEnvironment old).PackageCount | Should -Be 1
        PackageSet $dest | Should -Be @('libdemo=2.0=h1_2')
    }

    It 'an unknown -LockEnvironment is InvalidEnvironmentFile naming the environments there are' {
        $dest = Join-Path $TestDrive 'envs/pixi-none'
        New-Env -Prefix $dest -File $lock -LockEnvironment nonesuch -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidEnvironmentFile,*'
        $err[0].Exception.Message | Should -Match "no environment 'nonesuch' \(it has default, old\)"
        Test-Path $dest | Should -BeFalse
    }

    It 'a wrong sha256 in the lock is ChecksumMismatch, and nothing is installed' {
        Remove-Item -Recurse -Force (Join-Path $env:CONDA_PKGS_DIRS '*') -ErrorAction SilentlyContinue
        $bad = Write-PixiLock (Join-Path $TestDrive 'bad-pixi.lock') $base -Sha @{ 'libdemo-1.0' = ('0' * 64) }
        $dest = Join-Path $TestDrive 'envs/pixi-bad'
        New-Env -Prefix $dest -File $bad -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ChecksumMismatch,*'
        $err[0].Exception.Message | Should -Match 'libdemo-1.0-h1_1'
        Test-Path (Join-Path $dest 'conda-meta/libdemo-1.0-h1_1.json') | Should -BeFalse
    }
}

Describe 'New-Env -File pixi.lock from the loopback HTTP server' {
    BeforeAll {
        $served = Join-Path $TestDrive 'served'
        New-Item -ItemType Directory $served | Out-Null
        Copy-Item -Recurse $chan (Join-Path $served 'chan')
        $script:server = Start-TestChannelServer -Path $served
        $script:httpLock = Write-PixiLock (Join-Path $TestDrive 'http-pixi.lock') "$($server.Url)/chan"
    }
    AfterAll { if ($server) { $server | Stop-TestChannelServer } }

    It 'downloads each package from its URL in the lock and installs the same set' {
        Remove-Item -Recurse -Force (Join-Path $env:CONDA_PKGS_DIRS '*') -ErrorAction SilentlyContinue
        $dest = Join-Path $TestDrive 'envs/pixi-http'
        (New-Env -Prefix $dest -File $httpLock).PackageCount | Should -Be 3
        PackageSet $dest | Should -Be @('app=1.0=0', 'libdemo=1.0=h1_1', 'tool=0.5=0')
        $record = Get-Content (Join-Path $dest 'conda-meta/app-1.0-0.json') -Raw | ConvertFrom-Json
        $record.url | Should -Be "$($server.Url)/chan/$subdir/app-1.0-0.conda"
    }
}
