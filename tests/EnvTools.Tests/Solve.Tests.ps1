BeforeAll {
    $modulePath = $env:ENVTOOLS_MODULE
    if (-not $modulePath) { $modulePath = Join-Path $PSScriptRoot '../../out/EnvTools/EnvTools.psd1' }
    Import-Module $modulePath -Force
    Import-Module (Join-Path $PSScriptRoot 'TestChannel.psm1') -Force

    $records = @(
        New-TestRecord python 3.9.18 -Build h0_0 -Depends 'openssl >=3', 'zlib'
        New-TestRecord python 3.11.7 -Build h1_0 -Depends 'openssl >=3', 'zlib'
        New-TestRecord python 3.12.1 -Build h2_0 -Depends 'openssl >=3.2', 'zlib'
        New-TestRecord openssl 3.1.4 -Build h3_0
        New-TestRecord openssl 3.2.0 -Build h4_0 -Depends '__glibc >=2.28'
        New-TestRecord zlib 1.2.13 -Build h5_0
        New-TestRecord zlib 1.3 -Build h6_0
        New-TestRecord numpy 1.26.2 -Build py311_0 -Depends 'python >=3.11,<3.12'
        New-TestRecord numpy 1.26.2 -Build py39_0 -Depends 'python >=3.9,<3.10'
        New-TestRecord numpy 2.0.0 -Build py312_0 -Depends 'python >=3.12,<3.13'
        New-TestRecord cuda-app 1.0 -Build cuda_0 -Depends '__cuda >=12'
        New-TestRecord old-numpy-user 1.0 -Depends 'numpy <2', 'python 3.12.*'
    )
    $script:channel = New-TestChannel -Path (Join-Path $TestDrive 'channel') -Records $records
}

Describe 'Find-EnvPackage' {
    It 'returns every matching record, newest first' {
        $found = Find-EnvPackage numpy -Channel $channel -OverrideChannels -Platform linux-64
        ($found | ForEach-Object { "$($_.Version)-$($_.Build)" }) | Should -Be @('2.0.0-py312_0', '1.26.2-py311_0', '1.26.2-py39_0')
        $found[0].PSObject.TypeNames[0] | Should -Be 'EnvTools.PackageRecord'
    }

    It 'filters by version spec and supports name globs' {
        (Find-EnvPackage 'numpy<2' -Channel $channel -OverrideChannels -Platform linux-64).Version | Sort-Object -Unique | Should -Be '1.26.2'
        (Find-EnvPackage '*ssl*' -Channel $channel -OverrideChannels -Platform linux-64).Name | Sort-Object -Unique | Should -Be 'openssl'
    }

    It 'reports a bad spec as an InvalidSpec error record' {
        Find-EnvPackage 'numpy >=1.0,,' -Channel $channel -OverrideChannels -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidSpec,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'warns with close names when a mistyped name matches nothing' {
        Find-EnvPackage zlibb -Channel $channel -OverrideChannels -Platform linux-64 -WarningVariable w -WarningAction SilentlyContinue | Should -BeNullOrEmpty
        "$w" | Should -Match "No package matches 'zlibb'; did you mean zlib\?"
        Find-EnvPackage 'zlib>=9' -Channel $channel -OverrideChannels -WarningVariable w2 -WarningAction SilentlyContinue | Should -BeNullOrEmpty
        "$w2" | Should -BeNullOrEmpty -Because 'the name exists: no version matched, nothing was mistyped'
    }

    It 'reports an unknown platform as UnknownPlatform, with the closest name' {
        Find-EnvPackage python -Channel $channel -OverrideChannels -Platform linux64 -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'UnknownPlatform,*'
        $err[0].Exception.Message | Should -Match 'did you mean linux-64\?'
    }

    It 'reports a missing channel as ChannelUnavailable' {
        Find-EnvPackage numpy -Channel (Join-Path $TestDrive 'nowhere') -OverrideChannels -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ChannelUnavailable,*'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
    }
}

Describe 'Resolve-EnvPackage' {
    It 'solves to the newest consistent set, dependencies first' {
        $r = Resolve-EnvPackage numpy -Channel $channel -OverrideChannels -Platform linux-64 -VirtualPackage '__glibc=2.28'
        ($r | ForEach-Object { "$($_.Name)=$($_.Version)" }) | Sort-Object |
            Should -Be @('numpy=2.0.0', 'openssl=3.2.0', 'python=3.12.1', 'zlib=1.3')
        $names = $r.Name
        [array]::IndexOf($names, 'python') | Should -BeLessThan ([array]::IndexOf($names, 'numpy'))
        [array]::IndexOf($names, 'openssl') | Should -BeLessThan ([array]::IndexOf($names, 'python'))
    }

    It 'honours version constraints across packages' {
        $r = Resolve-EnvPackage 'numpy<2', 'python=3.9' -Channel $channel -OverrideChannels -Platform linux-64 -VirtualPackage '__glibc=2.28'
        ($r | Where-Object Name -eq numpy).Build | Should -Be 'py39_0'
    }

    It 'uses virtual packages: an old glibc rules out openssl 3.2' {
        $r = Resolve-EnvPackage python -Channel $channel -OverrideChannels -Platform linux-64 -VirtualPackage '__glibc=2.17'
        ($r | Where-Object Name -eq python).Version | Should -Be '3.11.7'
        ($r | Where-Object Name -eq openssl).Version | Should -Be '3.1.4'
    }

    It 'reports missing packages all at once as PackagesNotFound' {
        Resolve-EnvPackage 'nosuchpkg', 'numpyy' -Channel $channel -OverrideChannels -Platform linux-64 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PackagesNotFound,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].Exception.Message | Should -Match 'nosuchpkg'
        $err[0].Exception.Message | Should -Match 'numpyy'
    }

    It 'reports a missing virtual package as an error naming it' {
        Resolve-EnvPackage cuda-app -Channel $channel -OverrideChannels -Platform linux-64 -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -Not -BeNullOrEmpty
        $err[0].Exception.Message | Should -Match '__cuda'
        (Resolve-EnvPackage cuda-app -Channel $channel -OverrideChannels -Platform linux-64 -VirtualPackage '__cuda=12.4').Name | Should -Be 'cuda-app'
    }

    It 'explains an unsatisfiable request with a tree in the error record' {
        Resolve-EnvPackage old-numpy-user -Channel $channel -OverrideChannels -Platform linux-64 -VirtualPackage '__glibc=2.28' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Unsatisfiable,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidResult'
        $err[0].TargetObject | Should -Not -BeNullOrEmpty
        $err[0].Exception.Message | Should -Match 'old-numpy-user'
        $err[0].Exception.Message | Should -Match 'numpy'
    }
}

Describe 'Channels and pins from .condarc' {
    BeforeAll {
        $script:saved = @{ CONDARC = $env:CONDARC; CONDA_RESTRICT_RC_SEARCH_PATH = $env:CONDA_RESTRICT_RC_SEARCH_PATH }
        $rc = Join-Path $TestDrive 'condarc.yml'
        @"
channels:
  - $channel
pinned_packages:
  - python 3.11.*
"@ | Set-Content -Path $rc
        $env:CONDARC = $rc
        $env:CONDA_RESTRICT_RC_SEARCH_PATH = 'true'
    }
    AfterAll {
        foreach ($k in $saved.Keys) { Set-Item "env:$k" -Value $saved[$k] -ErrorAction SilentlyContinue; if ($null -eq $saved[$k]) { Remove-Item "env:$k" -ErrorAction SilentlyContinue } }
    }

    It 'uses the configured channels when -Channel is omitted, and honours pinned_packages' {
        $r = Resolve-EnvPackage numpy -Platform linux-64 -VirtualPackage '__glibc=2.28'
        ($r | Where-Object Name -eq python).Version | Should -Be '3.11.7'
        ($r | Where-Object Name -eq numpy).Build | Should -Be 'py311_0'
    }

    It 'searches the configured channels' {
        (Find-EnvPackage 'zlib' -Platform linux-64).Version | Should -Be @('1.3', '1.2.13')
    }
}
