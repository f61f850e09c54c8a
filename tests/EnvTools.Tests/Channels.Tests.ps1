# -Channel as conda's -c: read before the configured channels; -OverrideChannels (--override-channels) instead of them
# (issue 12 item 1). Real packages in two local channels, one configured in the isolated condarc.
BeforeAll {
    $modulePath = $env:ENVTOOLS_MODULE
    if (-not $modulePath) { $modulePath = Join-Path $PSScriptRoot '../../out/EnvTools/EnvTools.psd1' }
    Import-Module $modulePath -Force
    Import-Module (Join-Path $PSScriptRoot 'TestPackages.psm1') -Force

    $script:saved = Use-IsolatedConda -Root (Join-Path $TestDrive 'conda')
    $script:configured = Join-Path $TestDrive 'configured'
    $script:given = Join-Path $TestDrive 'given'
    New-TestPackage -Channel $configured -Name onlyconfigured -Version 1.0 -Files @{ 'share/oc.txt' = "oc`n" } | Out-Null
    New-TestPackage -Channel $configured -Name both -Version 1.0 -Build configured_0 -Files @{ 'share/both.txt' = "configured`n" } | Out-Null
    New-TestPackage -Channel $given -Name both -Version 1.0 -Build given_0 -Files @{ 'share/both.txt' = "given`n" } | Out-Null
    New-TestPackage -Channel $given -Name onlygiven -Version 1.0 -Files @{ 'share/og.txt' = "og`n" } | Out-Null
    Update-TestChannelIndex $configured | Out-Null
    Update-TestChannelIndex $given | Out-Null
    Set-Content -LiteralPath $env:CONDARC -Value "channels:`n  - $configured`nchannel_priority: strict`n"
}

AfterAll {
    Restore-IsolatedConda $saved
}

Describe '-Channel and -OverrideChannels' {
    It '-Channel goes before the configured channels: both are read, the given one first' {
        $r = Resolve-EnvPackage both, onlyconfigured, onlygiven -Channel $given
        ($r | Where-Object Name -eq both).Build | Should -Be 'given_0'
        ($r.Name | Sort-Object) | Should -Be @('both', 'onlyconfigured', 'onlygiven')
        (Find-EnvPackage onlyconfigured -Channel $given).Name | Should -Be 'onlyconfigured'
    }

    It 'New-Env and Install-EnvPackage -Channel install from the configured channels too' {
        $prefix = Join-Path $TestDrive 'envs/a'
        New-Env -Prefix $prefix onlygiven onlyconfigured -Channel $given | Out-Null
        (Get-EnvPackage -Prefix $prefix).Name | Should -Be @('onlyconfigured', 'onlygiven')
        Install-EnvPackage both -Prefix $prefix -Channel $given | ForEach-Object Build | Should -Be 'given_0'
    }

    It '-OverrideChannels reads the given channels only' {
        Resolve-EnvPackage onlyconfigured -Channel $given -OverrideChannels -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PackagesNotFound,*'
        Find-EnvPackage onlyconfigured -Channel $given -OverrideChannels -WarningAction SilentlyContinue | Should -BeNullOrEmpty
        $prefix = Join-Path $TestDrive 'envs/b'
        New-Env -Prefix $prefix onlyconfigured -Channel $given -OverrideChannels -ErrorVariable err2 -ErrorAction SilentlyContinue | Out-Null
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'PackagesNotFound,*'
    }

    It '-OverrideChannels without -Channel is an OverrideChannelsWithoutChannel error' {
        Resolve-EnvPackage both -OverrideChannels -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'OverrideChannelsWithoutChannel,*'
    }

    It 'an environment file''s nodefaults leaves the configured channels out' {
        $file = Join-Path $TestDrive 'env.yml'
        Set-Content $file "name: nd`nchannels:`n  - $given`n  - nodefaults`ndependencies:`n  - both`n"
        $prefix = Join-Path $TestDrive 'envs/nd'
        New-Env -Prefix $prefix -File $file | Out-Null
        (Get-EnvPackage -Prefix $prefix both).Build | Should -Be 'given_0'
        Set-Content $file "name: nd`nchannels:`n  - $given`n  - nodefaults`ndependencies:`n  - onlyconfigured`n"
        New-Env -Prefix (Join-Path $TestDrive 'envs/nd2') -File $file -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PackagesNotFound,*'
    }
}

Describe 'Completion of channels and package names (issue 12 item 15)' {
    BeforeAll {
        function Complete([string] $line) { (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches }
    }

    It '-Channel completes the configured channels, defaults, custom_channels and the channels used lately' {
        Set-Content -LiteralPath $env:CONDARC -Value "channels:`n  - $configured`ncustom_channels:`n  mychan: https://conda.example.org`ncustom_multichannels:`n  team: [$configured]`n"
        try {
            New-Env -Prefix (Join-Path $TestDrive 'envs/recent') onlygiven -Channel $given -OverrideChannels | Out-Null
            $all = Complete 'Find-EnvPackage x -Channel '
            $texts = @($all.CompletionText)
            $texts[0] | Should -Be $configured
            $texts | Should -Contain 'defaults'
            $texts | Should -Contain 'mychan'
            $texts | Should -Contain 'team'
            ($all | Where-Object ToolTip -like 'recently used*').CompletionText | Should -Contain ([uri]::new($given).AbsoluteUri.TrimEnd('/'))
            (Complete 'New-Env x -c my').CompletionText | Should -Be 'mychan'
            (Complete 'Install-EnvPackage x -Channel de').CompletionText | Should -Be 'defaults'
        }
        finally { Set-Content -LiteralPath $env:CONDARC -Value "channels:`n  - $configured`nchannel_priority: strict`n" }
    }

    It 'Get-EnvPackage -Package completes the packages of the environment named by -Name or -Prefix' {
        $prefix = Join-Path $TestDrive 'envs/complete'
        New-Env -Prefix $prefix onlygiven onlyconfigured -Channel $given | Out-Null
        (Complete "Get-EnvPackage -Prefix $prefix -Package only").CompletionText | Should -Be @('onlyconfigured', 'onlygiven')
        (Complete "Get-EnvPackage -Prefix $prefix onlyg").CompletionText | Should -Be 'onlygiven'
    }
}

Describe '-Verbose on create and install (issue 12 item 14)' {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestChannel.psm1') -Force
        $script:server = Start-TestChannelServer -Path $TestDrive
        $script:url = "$($server.Url)/given"
        function VerboseOf([scriptblock] $Block) { & $Block 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message }
    }
    AfterAll { if ($server) { $server | Stop-TestChannelServer } }

    It 'names each channel read and where from (download, 304, cache within the TTL), the cache hits and downloads, the link summary and the timings' {
        $sub = [EnvTools.Conda.Platform]::Current.Name
        $first = VerboseOf { New-Env -Prefix (Join-Path $TestDrive 'envs/v1') onlygiven -Channel $url -OverrideChannels -Verbose }
        $first | Should -Contain "Channel $url/$($sub): downloaded repodata.json ($('{0:N0}' -f (Get-Item (Join-Path $given "$sub/repodata.json")).Length) bytes)"
        ($first -match '^Packages: 0 from the cache, 1 downloaded \(onlygiven-1\.0-0\.conda; [\d,]+ bytes\) in [\d,]+ ms$').Count | Should -Be 1
        ($first -match '^Linking: 1 package\(s\) linked, 0 unlinked, 1 files, in [\d,]+ ms$').Count | Should -Be 1
        ($first -match '^Loading channels: 1 channel\(s\), 2 subdir\(s\) read in [\d,]+ ms$').Count | Should -Be 1
        ($first -match '^Planning: [\d,]+ ms$').Count | Should -Be 1
        ($first -match '^Applying \(fetch and link\): [\d,]+ ms$').Count | Should -Be 1

        $second = VerboseOf { New-Env -Prefix (Join-Path $TestDrive 'envs/v2') onlygiven -Channel $url -OverrideChannels -Verbose }
        $second | Should -Contain "Channel $url/$($sub): 304 Not Modified: the cached repodata"
        ($second -match '^Packages: 1 from the cache \(onlygiven-1\.0-0\.conda\), 0 downloaded in [\d,]+ ms$').Count | Should -Be 1

        $ttl = $env:CONDA_LOCAL_REPODATA_TTL
        try {
            $env:CONDA_LOCAL_REPODATA_TTL = '3600'
            $third = VerboseOf { Install-EnvPackage onlygiven -Prefix (Join-Path $TestDrive 'envs/v1') -Channel $url -OverrideChannels -Force -Verbose }
            $third | Should -Contain "Channel $url/$($sub): cache hit (within local_repodata_ttl)"
        }
        finally { $env:CONDA_LOCAL_REPODATA_TTL = $ttl }
    }

    It 'a local folder channel is named as read in place' {
        $lines = VerboseOf { Resolve-EnvPackage onlygiven -Channel $given -OverrideChannels -Verbose; New-Env -Prefix (Join-Path $TestDrive 'envs/v3') onlygiven -Channel $given -OverrideChannels -Verbose }
        ($lines -match "^Channel .*given/$([EnvTools.Conda.Platform]::Current.Name): local folder$").Count | Should -BeGreaterOrEqual 1
    }
}
