# Get-EnvInfo: what conda info shows (active environment, envs and pkgs dirs, channels and their URLs, platform,
# virtual packages, config files, versions), from the configuration every cmdlet reads.
BeforeAll {
    $modulePath = $env:ENVTOOLS_MODULE
    if (-not $modulePath) { $modulePath = Join-Path $PSScriptRoot '../../out/EnvTools/EnvTools.psd1' }
    Import-Module $modulePath -Force
    Import-Module (Join-Path $PSScriptRoot 'TestPackages.psm1') -Force
    $script:saved = Use-IsolatedConda -Root (Join-Path $TestDrive 'conda')
    $saved['CONDA_SHLVL'] = $env:CONDA_SHLVL
    $saved['CONDA_OVERRIDE_CUDA'] = $env:CONDA_OVERRIDE_CUDA
    $script:condarc = Join-Path $TestDrive 'condarc.yml'
    Set-Content $condarc "channels:`n  - https://user:s3cret@example.invalid/t/tk-123/private`n  - conda-forge`nchannel_priority: strict`n"
    $env:CONDARC = $condarc
}

AfterAll {
    Restore-IsolatedConda $saved
}

Describe 'Get-EnvInfo' {
    It 'shows the folders, channels with redacted URLs, platform, virtual packages, config files and versions' {
        $env:CONDA_OVERRIDE_CUDA = '12.4'
        try { $info = Get-EnvInfo }
        finally { Remove-Item env:CONDA_OVERRIDE_CUDA }
        $info.PSObject.TypeNames[0] | Should -Be 'EnvTools.EnvToolsInfo'
        $info.EnvsDirs[0] | Should -Be $env:CONDA_ENVS_DIRS
        $info.PkgsDirs[0] | Should -Be $env:CONDA_PKGS_DIRS
        $info.Channels | Should -Be @('https://user:s3cret@example.invalid/t/tk-123/private', 'conda-forge')
        $platform = [EnvTools.Conda.Platform]::Current.Name
        $info.Platform | Should -Be $platform
        $info.ChannelUrls | Should -HaveCount 4
        $info.ChannelUrls[3] | Should -Be 'https://conda.anaconda.org/conda-forge/noarch'
        $info.ChannelUrls[0] | Should -BeLike "https://*example.invalid*/private/$platform"
        ($info.ChannelUrls -join ' ') | Should -Not -Match 's3cret|tk-123'
        $info.ChannelPriority | Should -Be 'strict'
        $info.VirtualPackages | Should -Contain '__cuda=12.4=0'
        $info.ConfigFiles | Should -Contain $condarc
        $info.ModuleVersion | Should -Be (Get-Module EnvTools).Version.ToString()
        $info.CondaCompatibleVersion | Should -Be '3.8.0'
        $info.ActiveEnvironment | Should -BeNullOrEmpty
        $info.ShellLevel | Should -Be 0
    }

    It 'names the active environment' {
        $prefix = Join-Path $env:CONDA_ENVS_DIRS 'active-one'
        New-Env -Prefix $prefix | Out-Null
        $env:CONDA_PREFIX = $prefix; $env:CONDA_SHLVL = '1'
        try { $info = Get-EnvInfo }
        finally { Remove-Item env:CONDA_PREFIX, env:CONDA_SHLVL }
        $info.ActiveEnvironment | Should -Be 'active-one'
        $info.ActivePrefix | Should -Be $prefix
        $info.ShellLevel | Should -Be 1
    }

    It 'prints as a list, one line per folder, and serialises to JSON' {
        $text = Get-EnvInfo | Out-String -Width 300
        $text | Should -Match '(?m)^Platform\s+: '
        $text | Should -Match '(?m)^ChannelUrls\s+: https://'
        ((Get-EnvInfo | ConvertTo-Json -WarningAction Stop | ConvertFrom-Json).Channels) | Should -Contain 'conda-forge'
    }
}
