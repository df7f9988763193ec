<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP" sourcelanguage="en">
<context>
    <name>haikei</name>
    <message>
        <source>Add backgrounds</source>
        <translation>背景を追加</translation>
    </message>
    <message>
        <source>Add image or video…</source>
        <translation>画像・動画を追加…</translation>
    </message>
    <message>
        <source>Advanced</source>
        <translation>詳細設定</translation>
    </message>
    <message>
        <source>Background</source>
        <translation>背景</translation>
    </message>
    <message>
        <source>Background colour</source>
        <translation>背景色</translation>
    </message>
    <message>
        <source>Balanced</source>
        <translation>バランス</translation>
    </message>
    <message>
        <source>Blur</source>
        <translation>ぼかし</translation>
    </message>
    <message>
        <source>Blur strength</source>
        <translation>ぼかしの強さ</translation>
    </message>
    <message>
        <source>Camera and model</source>
        <translation>カメラとモデル</translation>
    </message>
    <message>
        <source>Choose a video file</source>
        <translation>動画ファイルを選択</translation>
    </message>
    <message>
        <source>Colour</source>
        <translation>単色</translation>
    </message>
    <message>
        <source>Colour…</source>
        <translation>色…</translation>
    </message>
    <message>
        <source>Custom</source>
        <translation>カスタム</translation>
    </message>
    <message>
        <source>Edge colour cleanup</source>
        <translation>輪郭の色かぶり除去</translation>
    </message>
    <message>
        <source>Edge softness (px)</source>
        <translation>輪郭のぼかし (px)</translation>
    </message>
    <message>
        <source>Effect off</source>
        <translation>エフェクト オフ</translation>
    </message>
    <message>
        <source>Effect on</source>
        <translation>エフェクト オン</translation>
    </message>
    <message>
        <source>FPS %1   CPU %2 %</source>
        <translation>FPS %1   CPU %2 %</translation>
    </message>
    <message>
        <source>Frame rate</source>
        <translation>フレームレート</translation>
    </message>
    <message>
        <source>Hide window</source>
        <translation>ウィンドウを隠す</translation>
    </message>
    <message>
        <source>Images and videos</source>
        <translation>画像と動画</translation>
    </message>
    <message>
        <source>Keep running in the tray when closed</source>
        <translation>閉じてもトレイで動作を続ける</translation>
    </message>
    <message>
        <source>Light wrap</source>
        <translation>背景光の回り込み</translation>
    </message>
    <message>
        <source>Mask</source>
        <translation>マスク</translation>
    </message>
    <message>
        <source>Mask threshold (high)</source>
        <translation>マスクしきい値（上限）</translation>
    </message>
    <message>
        <source>Mask threshold (low)</source>
        <translation>マスクしきい値（下限）</translation>
    </message>
    <message>
        <source>Mask upscaling</source>
        <translation>マスクの拡大方式</translation>
    </message>
    <message>
        <source>Mirror the picture</source>
        <translation>左右反転</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>モデル</translation>
    </message>
    <message>
        <source>No system tray was found: closing the window quits Haikei.</source>
        <translation>システムトレイがありません。ウィンドウを閉じると Haikei は終了します。</translation>
    </message>
    <message>
        <source>None</source>
        <translation>なし</translation>
    </message>
    <message>
        <source>Original</source>
        <translation>元の映像</translation>
    </message>
    <message>
        <source>Pause camera</source>
        <translation>カメラを一時停止</translation>
    </message>
    <message>
        <source>Preset</source>
        <translation>プリセット</translation>
    </message>
    <message>
        <source>Processed</source>
        <translation>処理後</translation>
    </message>
    <message>
        <source>Quality</source>
        <translation>画質優先</translation>
    </message>
    <message>
        <source>Quit Haikei</source>
        <translation>Haikei を終了</translation>
    </message>
    <message>
        <source>Refinement resolution</source>
        <translation>補正の解像度</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>削除</translation>
    </message>
    <message>
        <source>Resolution</source>
        <translation>解像度</translation>
    </message>
    <message>
        <source>Show stats</source>
        <translation>統計を表示</translation>
    </message>
    <message>
        <source>Show window</source>
        <translation>ウィンドウを表示</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>入力</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>速度優先</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>起動中…</translation>
    </message>
    <message>
        <source>Temporal smoothing</source>
        <translation>時間方向の平滑化</translation>
    </message>
    <message>
        <source>To fix: %1</source>
        <translation>対処方法: %1</translation>
    </message>
    <message>
        <source>Video file…</source>
        <translation>動画ファイル…</translation>
    </message>
    <message>
        <source>Virtual camera</source>
        <translation>仮想カメラ</translation>
    </message>
    <message>
        <source>dropped %1</source>
        <translation>破棄 %1</translation>
    </message>
    <message>
        <source>effect off</source>
        <translation>エフェクト オフ</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>一時停止中</translation>
    </message>
    <message>
        <source>speed and quality unknown</source>
        <translation>速度・品質は不明</translation>
    </message>
    <message>
        <source>virtual camera: %1</source>
        <translation>仮想カメラ: %1</translation>
    </message>
    <message>
        <source>Effects</source>
        <translation>エフェクト</translation>
    </message>
    <message>
        <source>Auto-framing</source>
        <translation>自動フレーミング</translation>
    </message>
    <message>
        <source>Keep you centred and sized in the picture</source>
        <translation>人物を画面の中央に程よい大きさで収めます</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>明るさ補正</translation>
    </message>
    <message>
        <source>Brighten and colour-balance a dark picture</source>
        <translation>暗い映像を明るくし、色味を整えます</translation>
    </message>
    <message>
        <source>Touch-up</source>
        <translation>美肌補正</translation>
    </message>
    <message>
        <source>Smooth the skin of the face (0 = off)</source>
        <translation>顔の肌をなめらかにします（0 = オフ）</translation>
    </message>
    <message>
        <source>Style</source>
        <translation>スタイル</translation>
    </message>
    <message>
        <source>Style on</source>
        <translation>スタイルの適用先</translation>
    </message>
    <message>
        <source>Painting</source>
        <translation>油絵</translation>
    </message>
    <message>
        <source>Cartoon</source>
        <translation>漫画</translation>
    </message>
    <message>
        <source>Pencil drawing</source>
        <translation>鉛筆画</translation>
    </message>
    <message>
        <source>Whole picture</source>
        <translation>画面全体</translation>
    </message>
    <message>
        <source>Low-light noise reduction</source>
        <translation>暗所ノイズ低減</translation>
    </message>
    <message>
        <source>Virtual camera format</source>
        <translation>仮想カメラの形式</translation>
    </message>
    <message>
        <source>In use by %1</source>
        <translation>%1 が使用中</translation>
    </message>
</context>
</TS>
