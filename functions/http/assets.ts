/**
 * The page's only script, served from this origin (CSP `script-src 'self'`). It is progressive:
 * without it, each form still posts the file straight to storage. With it, choosing a file asks
 * the API for a form signed for that file (its name, type and size are checked first, and
 * errors shown in place), then posts the file with those fields and shows storage's refusal, if
 * any, in both languages.
 */
export const UPLOAD_SCRIPT = `'use strict';
(function () {
  function show(box, body) {
    var lines = [];
    if (body && body.error) lines.push(body.error.zh + ' / ' + body.error.en);
    (body && body.issues || []).forEach(function (i) { lines.push(i.zh + ' / ' + i.en); });
    box.textContent = lines.join('\\n') || '上传失败，请重试 / Upload failed; try again';
    box.hidden = false;
  }
  // Storage's refusals (S3's XML error codes) in both languages.
  var REFUSED = {
    AccessDenied: '上传表单与文件不符或已过期，请刷新页面后重新选择文件 / The upload form does not match the file or has expired; reload the page and choose the file again',
    SignatureDoesNotMatch: '上传表单已被改动，请刷新页面后重试 / The upload form was altered; reload the page and try again',
    EntityTooSmall: '文件是空的 / The file is empty',
    EntityTooLarge: '文件太大 / The file is too large',
    PreconditionFailed: '这个上传表单已经用过，请刷新页面后再上传 / This upload form was used already; reload the page to upload again'
  };
  function refused(box, text) {
    var match = /<Code>([A-Za-z]+)<\\/Code>/.exec(text || '');
    box.textContent = (match && REFUSED[match[1]]) ||
      '存储服务拒收了文件，请刷新页面后重试 / Storage refused the file; reload the page and try again';
    box.hidden = false;
  }
  // Posts the file with its signed fields, as the form would, but reads the answer: a redirect
  // means stored (the page shows it), anything else is storage's refusal, shown in place.
  function send(form, box, body, file) {
    var data = new FormData();
    Object.keys(body.fields).forEach(function (name) { data.append(name, body.fields[name]); });
    data.append('file', file);
    fetch(body.url, { method: 'POST', body: data, redirect: 'manual' }).then(function (answer) {
      if (answer.type === 'opaqueredirect' || (answer.status >= 200 && answer.status < 400)) {
        window.location.assign(body.fields.success_action_redirect || window.location.href);
        return;
      }
      return answer.text().then(function (text) { refused(box, text); });
    }).catch(function () { show(box, null); });
  }
  document.querySelectorAll('form.upload').forEach(function (form) {
    var input = form.querySelector('input[type=file]');
    var box = form.querySelector('.error');
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var file = input.files && input.files[0];
      if (!file) return;
      box.hidden = true;
      fetch(form.getAttribute('data-api'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(form.hasAttribute('data-kind')
          ? { photoKind: form.getAttribute('data-kind'), fileName: file.name, size: file.size }
          : form.hasAttribute('data-import')
            ? { fileName: file.name, size: file.size }
            : { deliverableId: form.getAttribute('data-deliverable'), fileName: file.name, size: file.size })
      }).then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) return show(box, body);
          send(form, box, body, file);
        });
      }).catch(function () { show(box, null); });
    });
  });
})();
`;
