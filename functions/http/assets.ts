/**
 * The page's only script, served from this origin (CSP `script-src 'self'`). It is progressive:
 * without it, each form still posts the file straight to storage. With it, choosing a file asks
 * the API for a form signed for that file (its name, type and size are checked first, and
 * errors shown in place), then posts the file the same way.
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
  document.querySelectorAll('form.upload').forEach(function (form) {
    var input = form.querySelector('input[type=file]');
    var box = form.querySelector('.error');
    var signed = false;
    form.addEventListener('submit', function (event) {
      if (signed) return;
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
          form.querySelectorAll('input[type=hidden]').forEach(function (old) { old.remove(); });
          Object.keys(body.fields).forEach(function (name) {
            var hidden = document.createElement('input');
            hidden.type = 'hidden';
            hidden.name = name;
            hidden.value = body.fields[name];
            form.insertBefore(hidden, form.firstChild);
          });
          form.action = body.url;
          signed = true;
          form.submit();
        });
      }).catch(function () { show(box, null); });
    });
  });
})();
`;
