// A person's picture: their HR photo when the company shows them (fetched with the admin's
// token, since an <img> cannot send it, and kept a few minutes in memory), else initials.
import { useEffect, useState } from "preact/hooks";
import { loadToken } from "./session";
import { initials } from "./logic/avatar";

const cacheMillis = 5 * 60 * 1000;
const cache = new Map<string, { url: string; at: number } | Promise<string>>();

async function photo(path: string): Promise<string> {
  const hit = cache.get(path);
  if (hit && !(hit instanceof Promise) && Date.now() - hit.at < cacheMillis) return hit.url;
  if (hit instanceof Promise) return hit;
  const load = (async () => {
    const res = await fetch(new URL(path, window.location.origin), { headers: { Authorization: `Bearer ${loadToken()}` } });
    if (!res.ok) throw new Error(`photo: ${res.status}`);
    const url = URL.createObjectURL(await res.blob());
    cache.set(path, { url, at: Date.now() });
    return url;
  })();
  cache.set(path, load);
  return load.catch((err) => {
    cache.delete(path);
    throw err;
  });
}

export function Avatar({ name, photoUrl, size = 28 }: { name: string; photoUrl: string; size?: number }) {
  const [src, setSrc] = useState("");
  useEffect(() => {
    setSrc("");
    if (!photoUrl) return;
    let live = true;
    photo(photoUrl).then((u) => live && setSrc(u)).catch(() => {
      // The default picture stays.
    });
    return () => void (live = false);
  }, [photoUrl]);
  const style = { width: `${size}px`, height: `${size}px` };
  if (src) return <img class="avatar" src={src} alt="" style={style} data-photo="hr" />;
  return <span class="avatar avatar-initials" aria-hidden="true" style={{ ...style, fontSize: `${Math.round(size * 0.4)}px` }}>{initials(name)}</span>;
}
