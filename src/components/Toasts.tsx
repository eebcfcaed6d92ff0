import { Link } from "~/components/Link";
import { dismissToast, useToasts } from "~/utils/toasts";

export function Toasts() {
  const toasts = useToasts();
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((toast) => (
        <div className="toast" key={toast.id}>
          <span>
            {toast.message}
            {toast.link ? (
              <>
                {" "}
                <Link href={toast.link.href}>{toast.link.label}</Link>
              </>
            ) : null}
          </span>
          <button type="button" aria-label="Dismiss message" onClick={() => dismissToast(toast.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
