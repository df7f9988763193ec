<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP" sourcelanguage="en">
<context>
    <name>haikei</name>
    <message>
        <source> fps</source>
        <translation> fps</translation>
    </message>
    <message>
        <source> px</source>
        <translation> px</translation>
    </message>
    <message>
        <source>%1
%2
Double-click or press F2 to rename it.</source>
        <translation>%1
%2
ダブルクリックするか F2 キーで名前を変えられます。</translation>
    </message>
    <message>
        <source>%1 (moving)</source>
        <translation>%1（動画）</translation>
    </message>
    <message>
        <source>%1 (pictures and videos only).</source>
        <translation>%1（画像と動画の背景のみ）。</translation>
    </message>
    <message>
        <source>%1 (recommended)</source>
        <translation>%1（おすすめ）</translation>
    </message>
    <message>
        <source>%1 (unavailable)</source>
        <translation>%1（使用不可）</translation>
    </message>
    <message>
        <source>%1 are using the camera</source>
        <translation>%1 がカメラを使用中</translation>
    </message>
    <message>
        <source>%1 is using the camera</source>
        <translation>%1 がカメラを使用中</translation>
    </message>
    <message>
        <source>%1, TensorFlow Lite</source>
        <translation>%1・TensorFlow Lite 版</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <source>A camera published through PipeWire: no kernel module needed. Browsers list it once it is turned on in them.</source>
        <translation>PipeWire で公開するカメラです。カーネルモジュールは不要です。ブラウザー側で有効にすると一覧に表示されます。</translation>
    </message>
    <message>
        <source>A camera that meeting apps (Zoom, Meet, Teams, Chime) list beside your real one.</source>
        <translation>Web 会議アプリ（Zoom、Meet、Teams、Chime）で実際のカメラと並んで表示されるカメラです。</translation>
    </message>
    <message>
        <source>A fine edge at a moderate cost: right for most computers.</source>
        <translation>ほどよい負荷できれいな輪郭。ほとんどのパソコンに向いています。</translation>
    </message>
    <message>
        <source>Accuracy: %1 (%2 % overlap with hand-drawn outlines on webcam photos)</source>
        <translation>精度：%1（Web カメラ写真の手描きの輪郭と %2 % 一致）</translation>
    </message>
    <message>
        <source>Accurate</source>
        <translation>高精度</translation>
    </message>
    <message>
        <source>Add backgrounds</source>
        <translation>背景を追加</translation>
    </message>
    <message>
        <source>Add image or video…</source>
        <translation>画像・動画を追加…</translation>
    </message>
    <message>
        <source>Add picture or video…</source>
        <translation>画像・動画を追加…</translation>
    </message>
    <message>
        <source>Add your own pictures and videos to the gallery (or drop them on it).</source>
        <translation>自分の画像や動画をギャラリーに追加します（ドロップしても追加できます）。</translation>
    </message>
    <message>
        <source>Advanced</source>
        <translation>詳細設定</translation>
    </message>
    <message>
        <source>An app is using the camera “%1”.</source>
        <translation>アプリがカメラ「%1」を使用中です。</translation>
    </message>
    <message>
        <source>Another program is already sending video to this virtual camera. Close that program, or choose another device above.</source>
        <translation>別のプログラムがすでにこの仮想カメラに映像を送っています。そのプログラムを閉じるか、上で別のデバイスを選んでください。</translation>
    </message>
    <message>
        <source>Aurora</source>
        <translation>オーロラ</translation>
    </message>
    <message>
        <source>Auto-framing</source>
        <translation>自動フレーミング</translation>
    </message>
    <message>
        <source>Background</source>
        <translation>背景</translation>
    </message>
    <message>
        <source>Background below</source>
        <translation>これ未満は背景</translation>
    </message>
    <message>
        <source>Background colour</source>
        <translation>背景色</translation>
    </message>
    <message>
        <source>Background light on your edges</source>
        <translation>輪郭に背景の光</translation>
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
        <source>Brighten and colour-balance a dark picture</source>
        <translation>暗い映像を明るくし、色味を整えます</translation>
    </message>
    <message>
        <source>Calm room</source>
        <translation>落ち着いた部屋</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>カメラ</translation>
    </message>
    <message>
        <source>Camera %1 (not connected)</source>
        <translation>カメラ %1（未接続）</translation>
    </message>
    <message>
        <source>Camera and model</source>
        <translation>カメラとモデル</translation>
    </message>
    <message>
        <source>Cartoon</source>
        <translation>漫画</translation>
    </message>
    <message>
        <source>Choose a video file</source>
        <translation>動画ファイルを選択</translation>
    </message>
    <message>
        <source>Choose colour…</source>
        <translation>色を選択…</translation>
    </message>
    <message>
        <source>Chrome and Chromium: open the address %1, set “PipeWire Camera support” to Enabled and restart the browser. Firefox: open about:config and set %2 to true.</source>
        <translation>Chrome と Chromium：アドレス %1 を開き、「PipeWire Camera support」を Enabled にしてブラウザーを再起動します。Firefox：about:config を開き、%2 を true にします。</translation>
    </message>
    <message>
        <source>City lights at night</source>
        <translation>夜の街の灯り</translation>
    </message>
    <message>
        <source>Click a background to use it. Drop your own pictures and videos here.</source>
        <translation>背景をクリックすると使えます。自分の画像や動画はここにドロップしてください。</translation>
    </message>
    <message>
        <source>Closing the window leaves Haikei in the tray, so the camera keeps working.</source>
        <translation>ウィンドウを閉じても Haikei はトレイに残り、カメラは動き続けます。</translation>
    </message>
    <message>
        <source>Colour</source>
        <translation>単色</translation>
    </message>
    <message>
        <source>Colour flow</source>
        <translation>色の流れ</translation>
    </message>
    <message>
        <source>Colour…</source>
        <translation>色…</translation>
    </message>
    <message>
        <source>Copies the command, to paste into a terminal.</source>
        <translation>コマンドをコピーします。端末に貼り付けてください。</translation>
    </message>
    <message>
        <source>Copy command</source>
        <translation>コマンドをコピー</translation>
    </message>
    <message>
        <source>Copy the Chrome address</source>
        <translation>Chrome のアドレスをコピー</translation>
    </message>
    <message>
        <source>Custom</source>
        <translation>カスタム</translation>
    </message>
    <message>
        <source>Cut-out</source>
        <translation>切り抜き</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>閉じる</translation>
    </message>
    <message>
        <source>Does nothing for a blurred background.</source>
        <translation>ぼかし背景では効果がありません。</translation>
    </message>
    <message>
        <source>Does nothing while the effect is off.</source>
        <translation>エフェクトがオフの間は効果がありません。</translation>
    </message>
    <message>
        <source>Draw the background alone in the style, or the whole picture, you too.</source>
        <translation>背景だけをこのスタイルで描くか、あなたも含めた映像全体を描きます。</translation>
    </message>
    <message>
        <source>Draw the picture as a painting, a cartoon or a pencil drawing.</source>
        <translation>映像を絵画、マンガ、鉛筆画のように描きます。</translation>
    </message>
    <message>
        <source>Drifting lights</source>
        <translation>漂う光</translation>
    </message>
    <message>
        <source>Edge colour cleanup</source>
        <translation>輪郭の色かぶり除去</translation>
    </message>
    <message>
        <source>Edge detail</source>
        <translation>輪郭の細かさ</translation>
    </message>
    <message>
        <source>Edge method</source>
        <translation>輪郭の拡大方法</translation>
    </message>
    <message>
        <source>Edge softness</source>
        <translation>輪郭のやわらかさ</translation>
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
        <source>Effects</source>
        <translation>エフェクト</translation>
    </message>
    <message>
        <source>Engine: %1</source>
        <translation>エンジン：%1</translation>
    </message>
    <message>
        <source>FPS %1   CPU %2 %</source>
        <translation>FPS %1   CPU %2 %</translation>
    </message>
    <message>
        <source>Fast</source>
        <translation>高速</translation>
    </message>
    <message>
        <source>File: %1</source>
        <translation>ファイル：%1</translation>
    </message>
    <message>
        <source>Follows hair and edges</source>
        <translation>髪や輪郭に沿う</translation>
    </message>
    <message>
        <source>Frame rate</source>
        <translation>フレームレート</translation>
    </message>
    <message>
        <source>Frame rate, the time each step takes and the processor use, over the preview.</source>
        <translation>フレームレート、各処理の所要時間、プロセッサー使用率をプレビューに重ねて表示します。</translation>
    </message>
    <message>
        <source>Give the selected background of yours another name (F2).</source>
        <translation>選んだ自分の背景の名前を変えます（F2）。</translation>
    </message>
    <message>
        <source>Haikei may not use the virtual camera</source>
        <translation>Haikei に仮想カメラの使用権限がありません</translation>
    </message>
    <message>
        <source>Haikei measured this computer and chose the %1 preset: %2</source>
        <translation>Haikei はこのパソコンを測定し、プリセット「%1」を選びました。%2</translation>
    </message>
    <message>
        <source>Haikei starts in the tray when you log in, ready for your next meeting.</source>
        <translation>ログインすると Haikei がトレイで起動し、次の会議に備えます。</translation>
    </message>
    <message>
        <source>Hide window</source>
        <translation>ウィンドウを隠す</translation>
    </message>
    <message>
        <source>How strongly the room behind you is blurred (Blur background only).</source>
        <translation>後ろの部屋をぼかす強さです（ぼかし背景のみ）。</translation>
    </message>
    <message>
        <source>Images and videos</source>
        <translation>画像と動画</translation>
    </message>
    <message>
        <source>In use by %1</source>
        <translation>%1 が使用中</translation>
    </message>
    <message>
        <source>It needs %1, which is not installed.</source>
        <translation>必要な %1 がインストールされていません。</translation>
    </message>
    <message>
        <source>Its file is missing or was changed.</source>
        <translation>ファイルが見つからないか、変更されています。</translation>
    </message>
    <message>
        <source>Keep running in the tray when closed</source>
        <translation>閉じてもトレイで動作を続ける</translation>
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
        <source>Light wrap</source>
        <translation>背景光の回り込み</translation>
    </message>
    <message>
        <source>Look</source>
        <translation>見た目</translation>
    </message>
    <message>
        <source>Low-light noise reduction</source>
        <translation>暗所ノイズ低減</translation>
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
        <source>Meeting apps can only see Haikei through a virtual camera, which needs the v4l2loopback module. Run the copied command in a terminal once; Haikei connects by itself when the camera appears.</source>
        <translation>Web 会議アプリは仮想カメラを通してしか Haikei を見られず、それには v4l2loopback モジュールが必要です。コピーしたコマンドを端末で一度実行してください。カメラが現れると Haikei は自動で接続します。</translation>
    </message>
    <message>
        <source>Meeting apps can only see Haikei through a virtual camera. Install OBS Studio and click “Start Virtual Camera” in it once; Haikei connects by itself afterwards.</source>
        <translation>Web 会議アプリは仮想カメラを通してしか Haikei を見られません。OBS Studio をインストールし、その中で「仮想カメラ開始」を一度クリックしてください。その後は Haikei が自動で接続します。</translation>
    </message>
    <message>
        <source>Mirror the picture</source>
        <translation>左右反転</translation>
    </message>
    <message>
        <source>Misty hills</source>
        <translation>霧の丘</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>モデル</translation>
    </message>
    <message>
        <source>Needs %1, which is not installed</source>
        <translation>必要な %1 がインストールされていません</translation>
    </message>
    <message>
        <source>No app is using it now, so Haikei rests your camera until one does.</source>
        <translation>今はどのアプリも使っていないため、使われるまで Haikei はカメラを休ませます。</translation>
    </message>
    <message>
        <source>No app receives the picture; only this window shows it.</source>
        <translation>映像はどのアプリにも送られず、このウィンドウにだけ表示されます。</translation>
    </message>
    <message>
        <source>No picture: see Camera on the right.</source>
        <translation>映像がありません。右の「カメラ」を見てください。</translation>
    </message>
    <message>
        <source>No system tray was found: closing the window quits Haikei.</source>
        <translation>システムトレイがありません。ウィンドウを閉じると Haikei は終了します。</translation>
    </message>
    <message>
        <source>No virtual camera on this computer yet</source>
        <translation>このパソコンにはまだ仮想カメラがありません</translation>
    </message>
    <message>
        <source>None</source>
        <translation>なし</translation>
    </message>
    <message>
        <source>Nowhere (preview only)</source>
        <translation>出力しない（プレビューのみ）</translation>
    </message>
    <message>
        <source>Nowhere: only this preview shows the picture.</source>
        <translation>出力なし：映像はこのプレビューにだけ表示されます。</translation>
    </message>
    <message>
        <source>Only for the virtual camera output.</source>
        <translation>出力が仮想カメラのときだけ使われます。</translation>
    </message>
    <message>
        <source>Original</source>
        <translation>元の映像</translation>
    </message>
    <message>
        <source>Other engines and your own models</source>
        <translation>ほかのエンジンと自分のモデル</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>出力</translation>
    </message>
    <message>
        <source>Painting</source>
        <translation>油絵</translation>
    </message>
    <message>
        <source>Pause camera</source>
        <translation>カメラを一時停止</translation>
    </message>
    <message>
        <source>Pencil drawing</source>
        <translation>鉛筆画</translation>
    </message>
    <message>
        <source>Pick the colour of the Colour background.</source>
        <translation>単色背景の色を選びます。</translation>
    </message>
    <message>
        <source>Pictures and videos</source>
        <translation>画像と動画</translation>
    </message>
    <message>
        <source>PipeWire camera</source>
        <translation>PipeWire カメラ</translation>
    </message>
    <message>
        <source>PipeWire is not running</source>
        <translation>PipeWire が動いていません</translation>
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
        <source>Ready: choose “%1” as the camera in your meeting app.</source>
        <translation>準備完了：Web 会議アプリでカメラに「%1」を選んでください。</translation>
    </message>
    <message>
        <source>Recording to %1</source>
        <translation>%1 に記録中</translation>
    </message>
    <message>
        <source>Refinement resolution</source>
        <translation>補正の解像度</translation>
    </message>
    <message>
        <source>Release the camera; apps see a still “paused” picture meanwhile (%1).</source>
        <translation>カメラを解放します。その間、アプリには「一時停止中」の静止画が映ります（%1）。</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>削除</translation>
    </message>
    <message>
        <source>Remove the room's colour from edges</source>
        <translation>輪郭から部屋の色を除く</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>名前を変更</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>リセット</translation>
    </message>
    <message>
        <source>Resolution</source>
        <translation>解像度</translation>
    </message>
    <message>
        <source>Resolution, frame rate and every setting of the edge.</source>
        <translation>解像度、フレームレート、輪郭のすべての設定。</translation>
    </message>
    <message>
        <source>Rest the camera while no app uses it</source>
        <translation>アプリが使っていない間はカメラを休ませる</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>結果</translation>
    </message>
    <message>
        <source>Resume camera</source>
        <translation>カメラを再開</translation>
    </message>
    <message>
        <source>Send the camera picture as it is, or with the background again (%1).</source>
        <translation>カメラの映像をそのまま送るか、再び背景付きで送ります（%1）。</translation>
    </message>
    <message>
        <source>Set every edge setting back to the %1 preset.</source>
        <translation>輪郭の設定をすべてプリセット「%1」に戻します。</translation>
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
        <source>Simple (lighter)</source>
        <translation>シンプル（軽い）</translation>
    </message>
    <message>
        <source>Smooth the skin of the face (0 = off)</source>
        <translation>顔の肌をなめらかにします（0 = オフ）</translation>
    </message>
    <message>
        <source>Soft dawn</source>
        <translation>柔らかな夜明け</translation>
    </message>
    <message>
        <source>Soften the picture</source>
        <translation>背景をやわらかく</translation>
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
        <source>Speed and accuracy not measured</source>
        <translation>速度と精度は未測定</translation>
    </message>
    <message>
        <source>Speed: %1 (%2 ms a frame on a 2-core computer)</source>
        <translation>速度：%1（2 コアのパソコンで 1 フレーム %2 ms）</translation>
    </message>
    <message>
        <source>Start Haikei when I log in</source>
        <translation>ログイン時に Haikei を起動</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>起動中…</translation>
    </message>
    <message>
        <source>Steadiness</source>
        <translation>安定度</translation>
    </message>
    <message>
        <source>Studio grey</source>
        <translation>スタジオグレー</translation>
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
        <source>Take the selected background of yours out of the gallery (the file stays).</source>
        <translation>選んだ自分の背景をギャラリーから外します（ファイルは残ります）。</translation>
    </message>
    <message>
        <source>Temporal smoothing</source>
        <translation>時間方向の平滑化</translation>
    </message>
    <message>
        <source>The PipeWire camera is not installed</source>
        <translation>PipeWire カメラがインストールされていません</translation>
    </message>
    <message>
        <source>The PipeWire camera needs PipeWire and WirePlumber running. Run the copied command, or use the virtual camera.</source>
        <translation>PipeWire カメラには PipeWire と WirePlumber の動作が必要です。コピーしたコマンドを実行するか、仮想カメラを使ってください。</translation>
    </message>
    <message>
        <source>The PipeWire camera needs PipeWire's client library. Run the copied command, then start Haikei again.</source>
        <translation>PipeWire カメラには PipeWire のクライアントライブラリが必要です。コピーしたコマンドを実行してから、Haikei を起動し直してください。</translation>
    </message>
    <message>
        <source>The camera Haikei reads (or a video file, to try it out).</source>
        <translation>Haikei が読み込むカメラ（試すなら動画ファイルも可）。</translation>
    </message>
    <message>
        <source>The camera's own picture, untouched.</source>
        <translation>カメラそのままの映像。</translation>
    </message>
    <message>
        <source>The edge around you (set by the preset)</source>
        <translation>あなたの輪郭（プリセットで設定）</translation>
    </message>
    <message>
        <source>The file %1</source>
        <translation>ファイル %1</translation>
    </message>
    <message>
        <source>The finest edge, with the background's light on your outline: for a fast computer.</source>
        <translation>最もきれいな輪郭で、背景の光が輪郭にかかります。速いパソコン向け。</translation>
    </message>
    <message>
        <source>The first free one</source>
        <translation>空いている最初のもの</translation>
    </message>
    <message>
        <source>The lightest: for an older or busy computer.</source>
        <translation>最も軽い設定。古いパソコンや負荷の高いパソコン向け。</translation>
    </message>
    <message>
        <source>The model “%1” cannot run here. %2 Haikei uses “%3” instead.</source>
        <translation>モデル「%1」はここでは動きません。%2 代わりに「%3」を使います。</translation>
    </message>
    <message>
        <source>The output does not work</source>
        <translation>出力が動作していません</translation>
    </message>
    <message>
        <source>The virtual camera is busy</source>
        <translation>仮想カメラは使用中です</translation>
    </message>
    <message>
        <source>This background cannot be used: %1</source>
        <translation>この背景は使えません：%1</translation>
    </message>
    <message>
        <source>This camera cannot be opened. Check that it is plugged in and that no other app is using it; Haikei keeps trying.</source>
        <translation>このカメラを開けません。接続されているか、ほかのアプリが使っていないかを確かめてください。Haikei は再試行を続けます。</translation>
    </message>
    <message>
        <source>This file cannot be played: %1</source>
        <translation>このファイルは再生できません：%1</translation>
    </message>
    <message>
        <source>To fix: %1</source>
        <translation>対処方法: %1</translation>
    </message>
    <message>
        <source>Touch-up</source>
        <translation>美肌補正</translation>
    </message>
    <message>
        <source>Turn effect off</source>
        <translation>エフェクトをオフ</translation>
    </message>
    <message>
        <source>Turn effect on</source>
        <translation>エフェクトをオン</translation>
    </message>
    <message>
        <source>Use %1 instead</source>
        <translation>代わりに「%1」を使う</translation>
    </message>
    <message>
        <source>Use the PipeWire camera instead</source>
        <translation>代わりに PipeWire カメラを使う</translation>
    </message>
    <message>
        <source>Using it in a browser</source>
        <translation>ブラウザーで使うには</translation>
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
        <source>Virtual camera format</source>
        <translation>仮想カメラの形式</translation>
    </message>
    <message>
        <source>Warm lights</source>
        <translation>暖かな光</translation>
    </message>
    <message>
        <source>What the model sees as you (white) and as background (black).</source>
        <translation>モデルが人物（白）と背景（黒）と判断した領域。</translation>
    </message>
    <message>
        <source>What your meeting app receives.</source>
        <translation>Web 会議アプリが受け取る映像。</translation>
    </message>
    <message>
        <source>Which virtual camera device to send to.</source>
        <translation>送り先の仮想カメラデバイス。</translation>
    </message>
    <message>
        <source>Whole picture</source>
        <translation>画面全体</translation>
    </message>
    <message>
        <source>You above</source>
        <translation>これ以上は人物</translation>
    </message>
    <message>
        <source>Your own settings under Advanced.</source>
        <translation>詳細設定での自分の設定。</translation>
    </message>
    <message>
        <source>Your user is not allowed to write to the virtual camera. Run the copied command, then log out and back in.</source>
        <translation>このユーザーには仮想カメラへの書き込み権限がありません。コピーしたコマンドを実行してから、ログインし直してください。</translation>
    </message>
    <message>
        <source>accurate edges</source>
        <translation>正確な輪郭</translation>
    </message>
    <message>
        <source>blur an image or video background as if it were out of focus behind you, as in a photo taken with a wide-open lens (0 = sharp, 1 = strongly)</source>
        <translation>画像や動画の背景を、絞りを開いて撮った写真のようにピントが外れたようにぼかします（0 = くっきり、1 = 強く）</translation>
    </message>
    <message>
        <source>camera paused</source>
        <translation>カメラ一時停止中</translation>
    </message>
    <message>
        <source>capture</source>
        <translation>取り込み</translation>
    </message>
    <message>
        <source>compose</source>
        <translation>合成</translation>
    </message>
    <message>
        <source>dropped</source>
        <translation>欠落</translation>
    </message>
    <message>
        <source>dropped %1</source>
        <translation>破棄 %1</translation>
    </message>
    <message>
        <source>edge</source>
        <translation>輪郭</translation>
    </message>
    <message>
        <source>effect off</source>
        <translation>エフェクト オフ</translation>
    </message>
    <message>
        <source>fair edges</source>
        <translation>まずまずの輪郭</translation>
    </message>
    <message>
        <source>flip the picture left to right, as in a mirror (apps get it so too)</source>
        <translation>鏡のように映像を左右反転します（アプリにも反転して送られます）</translation>
    </message>
    <message>
        <source>how much of a dim camera's grain is smoothed away while Light is on (0 = off)</source>
        <translation>「明るさ補正」がオンのとき、暗いカメラのざらつきを滑らかにする度合い（0 = オフ）</translation>
    </message>
    <message>
        <source>how much the edge is averaged over time so that it does not flicker; what moves is never averaged (0 = off)</source>
        <translation>ちらつかないよう輪郭を時間で平均する度合い。動いている部分は平均しません（0 = オフ）</translation>
    </message>
    <message>
        <source>how the edge around you is refined: quality looks best, speed is lightest</source>
        <translation>あなたの輪郭の仕上げ方：「品質」が最もきれい、「速度」が最も軽い</translation>
    </message>
    <message>
        <source>how the model's small cut-out is enlarged to the picture: guided follows the picture's own edges (hair, glasses), bilinear is lighter</source>
        <translation>モデルの小さな切り抜きを映像の大きさに拡大する方法：「髪や輪郭に沿う」は映像自体の輪郭（髪、眼鏡）に合わせ、「シンプル」はより軽い</translation>
    </message>
    <message>
        <source>it keeps up with %1 pictures a second even with the finest edge.</source>
        <translation>最もきれいな輪郭でも毎秒 %1 枚に間に合います。</translation>
    </message>
    <message>
        <source>lets the new background's light spill over your outline, so that you look lit by it (0 = off)</source>
        <translation>新しい背景の光を輪郭にかけて、背景に照らされているように見せます（0 = オフ）</translation>
    </message>
    <message>
        <source>light on the computer</source>
        <translation>パソコンへの負荷は軽め</translation>
    </message>
    <message>
        <source>model</source>
        <translation>モデル</translation>
    </message>
    <message>
        <source>needs a fast computer</source>
        <translation>速いパソコンが必要</translation>
    </message>
    <message>
        <source>output</source>
        <translation>出力</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>一時停止中</translation>
    </message>
    <message>
        <source>pictures per second sent to apps (meeting apps use up to 30)</source>
        <translation>アプリに送る毎秒の枚数（Web 会議アプリは最大 30）</translation>
    </message>
    <message>
        <source>pixel format of the v4l2loopback camera: yuyv (default: every app takes it) or i420 (fewer bytes)</source>
        <translation>v4l2loopback カメラのピクセル形式：yuyv（既定。どのアプリでも使えます）または i420（データ量が少ない）</translation>
    </message>
    <message>
        <source>preprocess</source>
        <translation>前処理</translation>
    </message>
    <message>
        <source>release the camera (its light goes off) and stop the work while no app reads the virtual camera (default: on)</source>
        <translation>どのアプリも仮想カメラを読んでいない間、カメラを解放し（ランプが消えます）処理を止めます（既定：オン）</translation>
    </message>
    <message>
        <source>rough edges</source>
        <translation>粗い輪郭</translation>
    </message>
    <message>
        <source>softens the line between you and the background by this many pixels of the model's cut-out (0 = crisp)</source>
        <translation>あなたと背景の境目を、モデルの切り抜きでこのピクセル数だけやわらかくします（0 = くっきり）</translation>
    </message>
    <message>
        <source>speed and quality unknown</source>
        <translation>速度・品質は不明</translation>
    </message>
    <message>
        <source>takes the real room's colour out of your soft edge before a picture or colour is put behind you (0 = off)</source>
        <translation>画像や色を後ろに置く前に、やわらかい輪郭から実際の部屋の色を取り除きます（0 = オフ）</translation>
    </message>
    <message>
        <source>the Quality preset would be too heavy for it at %1 pictures a second.</source>
        <translation>毎秒 %1 枚では「品質」プリセットは重すぎるためです。</translation>
    </message>
    <message>
        <source>the other presets would be too heavy for it at %1 pictures a second.</source>
        <translation>毎秒 %1 枚ではほかのプリセットは重すぎるためです。</translation>
    </message>
    <message>
        <source>the size of the picture apps receive, e.g. 1280x720: larger is sharper and costs more</source>
        <translation>アプリが受け取る映像の大きさ（例：1280x720）。大きいほど鮮明で負荷も増えます</translation>
    </message>
    <message>
        <source>the size the edge is fitted at, as a share of the picture's: higher follows fine hair better and costs more</source>
        <translation>輪郭を合わせる大きさ（映像に対する割合）。高いほど細い髪によく沿い、負荷も増えます</translation>
    </message>
    <message>
        <source>too heavy for most computers</source>
        <translation>ほとんどのパソコンには重すぎる</translation>
    </message>
    <message>
        <source>total</source>
        <translation>合計</translation>
    </message>
    <message>
        <source>very accurate edges</source>
        <translation>とても正確な輪郭</translation>
    </message>
    <message>
        <source>very light on the computer</source>
        <translation>パソコンへの負荷はとても軽い</translation>
    </message>
    <message>
        <source>virtual camera: %1</source>
        <translation>仮想カメラ: %1</translation>
    </message>
    <message>
        <source>where the model is less sure than this that it sees you, the room shows; raise it to cut more of the room away</source>
        <translation>モデルが人物だと判断する確からしさがこれ未満の所は部屋が見えます。上げると部屋をより多く切り取ります</translation>
    </message>
    <message>
        <source>where the model is surer than this that it sees you, you show fully; lower it to keep more of your hair and shoulders</source>
        <translation>モデルが人物だと判断する確からしさがこれを超える所は、あなたがはっきり映ります。下げると髪や肩がより多く残ります</translation>
    </message>
    <message>
        <source>auto-framing</source>
        <translation>自動フレーミング</translation>
    </message>
    <message>
        <source>light</source>
        <translation>明るさ補正</translation>
    </message>
    <message>
        <source>face</source>
        <translation>顔の検出</translation>
    </message>
    <message>
        <source>touch-up</source>
        <translation>美肌補正</translation>
    </message>
    <message>
        <source>style</source>
        <translation>スタイル</translation>
    </message>
    <message>
        <source>Your settings cannot be saved: %1 cannot be read (%2), so Haikei does not write over it.</source>
        <translation>設定を保存できません: %1 を読めないため (%2)、Haikei はこのファイルを上書きしません。</translation>
    </message>
    <message>
        <source>Your settings cannot be saved: %1 cannot be written (%2).</source>
        <translation>設定を保存できません: %1 に書き込めません (%2)。</translation>
    </message>
    <message>
        <source>Haikei runs on; changes you make last until you quit.</source>
        <translation>Haikei はこのまま動作します。変更した設定は終了するまで有効です。</translation>
    </message>
    <message>
        <source>Auto-framing zoom limit</source>
        <translation>自動フレーミングの最大ズーム</translation>
    </message>
    <message>
        <source>Auto-framing speed (s)</source>
        <translation>自動フレーミングの速さ (秒)</translation>
    </message>
    <message>
        <source>the most auto-framing zooms in</source>
        <translation>自動フレーミングがズームインする最大の倍率</translation>
    </message>
    <message>
        <source>seconds to re-frame</source>
        <translation>構図を直すまでの秒数</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>Only while auto-framing is on.</source>
        <translation>自動フレーミングがオンのときだけ使われます。</translation>
    </message>
</context>
</TS>
